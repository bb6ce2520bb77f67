from contextlib import asynccontextmanager

import httpx
import requests
from fastapi import Depends, FastAPI, Request

rates_session = requests.Session()


@asynccontextmanager
async def lifespan(app: FastAPI):
    async with httpx.AsyncClient(base_url="http://inventory:8000", timeout=5.0) as client:
        app.state.inventory = client
        yield


app = FastAPI(lifespan=lifespan)


def inventory_client(request: Request) -> httpx.AsyncClient:
    return request.app.state.inventory


@app.get("/orders/{order_id}")
async def get_order(order_id: int, inventory: httpx.AsyncClient = Depends(inventory_client)):
    resp = await inventory.get(f"/items/{order_id}")
    return resp.json()


@app.get("/rates")
def get_rates():
    return rates_session.get("https://rates.example.com/latest", timeout=5).json()


def build_sync_client() -> httpx.Client:
    # a factory used by a CLI script, not a request handler
    return httpx.Client(timeout=10.0)


async def nightly_sync() -> None:
    # a scheduled job no route calls: one client per run is right
    async with httpx.AsyncClient(timeout=30.0) as client:
        await client.post("http://inventory:8000/sync")


def check_webhook(endpoint_url: str, timeout_s: float) -> bool:
    # talks to whatever endpoint an admin registers, with its own timeout
    with httpx.Client(base_url=endpoint_url, timeout=timeout_s) as client:
        return client.post("/ping").status_code < 500


@app.post("/webhooks/check")
def check(url: str):
    return {"ok": check_webhook(url, 3.0)}
