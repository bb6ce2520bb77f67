import requests
from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

app = FastAPI()


def load_rates() -> dict:
    return requests.get("https://rates.example.com/latest", timeout=5).json()


def format_quote(amount: float, rate: float) -> str:
    return f"{amount * rate:.2f} EUR"


@app.get("/quote")
async def quote(amount: float) -> dict:
    rates = await run_in_threadpool(load_rates)
    return {"eur": format_quote(amount, rates["EUR"])}


@app.get("/quote-sync")
def quote_sync(amount: float) -> dict:
    return {"eur": amount * load_rates()["EUR"]}
