import os

import aiohttp
import httpx
from fastapi import FastAPI

PAYMENTS_URL = os.environ["PAYMENTS_URL"]
RATES_URL = os.environ["RATES_URL"]
app = FastAPI()
rates = httpx.AsyncClient(base_url=RATES_URL, timeout=5.0)  # expect: http-client-never-closed


@app.on_event("startup")
async def open_clients() -> None:
    app.state.payments = aiohttp.ClientSession(  # expect: http-client-never-closed
        base_url=PAYMENTS_URL, timeout=aiohttp.ClientTimeout(total=10))


async def fetch_json(url: str) -> dict:
    client = httpx.AsyncClient(timeout=5.0)  # expect: http-client-never-closed
    resp = await client.get(url)
    resp.raise_for_status()
    return resp.json()


async def ping(url: str) -> int:
    resp = await httpx.AsyncClient(timeout=2.0).get(url)  # expect: http-client-never-closed
    return resp.status_code


@app.get("/rates/{currency}")
async def get_rate(currency: str) -> dict:
    resp = await rates.get(f"/latest/{currency}")
    return resp.json()
