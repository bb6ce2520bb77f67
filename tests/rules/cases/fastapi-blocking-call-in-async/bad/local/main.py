import requests
from fastapi import FastAPI

app = FastAPI()


def load_rates() -> dict:
    return requests.get("https://rates.example.com/latest", timeout=5).json()


@app.get("/quote")
async def quote(amount: float) -> dict:
    rates = load_rates()  # expect: fastapi-blocking-call-in-async
    return {"eur": amount * rates["EUR"]}
