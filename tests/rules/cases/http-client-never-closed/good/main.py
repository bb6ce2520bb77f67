import os
from contextlib import asynccontextmanager

import aiohttp
import httpx
from fastapi import FastAPI

PAYMENTS_URL = os.environ["PAYMENTS_URL"]
RATES_URL = os.environ["RATES_URL"]
rates = httpx.AsyncClient(base_url=RATES_URL, timeout=5.0)


@asynccontextmanager
async def lifespan(app: FastAPI):
    app.state.payments = aiohttp.ClientSession(base_url=PAYMENTS_URL, timeout=aiohttp.ClientTimeout(total=10))
    async with httpx.AsyncClient(timeout=5.0) as client:
        app.state.http = client
        yield
    await app.state.payments.close()
    await rates.aclose()


app = FastAPI(lifespan=lifespan)


async def fetch_json(url: str) -> dict:
    client = httpx.AsyncClient(timeout=5.0)
    try:
        resp = await client.get(url)
        return resp.json()
    finally:
        await client.aclose()


def make_client(token: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(timeout=5.0, headers={"Authorization": f"Bearer {token}"})
    return client


async def fetch_all(urls: list[str]) -> list[int]:
    async with httpx.AsyncClient(timeout=5.0) as client:
        return [(await client.get(u)).status_code for u in urls]


class Gateway:
    def __init__(self) -> None:
        session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
        self.session = session
