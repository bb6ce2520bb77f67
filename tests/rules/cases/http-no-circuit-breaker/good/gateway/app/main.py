import os
from datetime import timedelta

import httpx
from aiobreaker import CircuitBreaker
from fastapi import FastAPI

ORDERS_URL = os.environ["ORDERS_URL"]
INVENTORY_URL = os.environ["INVENTORY_URL"]
app = FastAPI()
client = httpx.AsyncClient(timeout=httpx.Timeout(5.0, connect=2.0))
breaker = CircuitBreaker(fail_max=5, timeout_duration=timedelta(seconds=30))


@breaker
async def fetch(url: str) -> dict:
    resp = await client.get(url)
    resp.raise_for_status()
    return resp.json()


@app.get("/api/orders/{order_id}")
async def order_page(order_id: int) -> dict:
    order = (await client.get(f"{ORDERS_URL}/orders/{order_id}")).json()
    stock = (await client.get(f"{INVENTORY_URL}/items/{order['item_id']}")).json()
    return {"order": order, "stock": stock}


@app.get("/api/items/{item_id}")
async def item_page(item_id: int) -> dict:
    return await fetch(f"{INVENTORY_URL}/items/{item_id}")
