import os

import httpx
from fastapi import FastAPI

ORDERS_URL = os.getenv("ORDERS_URL", "http://localhost:8001")
app = FastAPI()
client = httpx.AsyncClient(timeout=5.0)


@app.get("/api/orders/{order_id}")
async def order_page(order_id: int) -> dict:
    resp = await client.get(f"{ORDERS_URL}/orders/{order_id}")  # expect: boundary-sync-call-chain
    return resp.json()
