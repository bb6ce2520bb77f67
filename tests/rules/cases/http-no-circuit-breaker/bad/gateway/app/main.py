import os

import httpx
from fastapi import FastAPI

ORDERS_URL = os.environ["ORDERS_URL"]
INVENTORY_URL = os.environ["INVENTORY_URL"]
app = FastAPI()
client = httpx.AsyncClient(timeout=httpx.Timeout(5.0, connect=2.0))


@app.get("/api/orders/{order_id}")
async def order_page(order_id: int) -> dict:
    order = (await client.get(f"{ORDERS_URL}/orders/{order_id}")).json()
    stock = (await client.get(f"{INVENTORY_URL}/items/{order['item_id']}")).json()  # expect: http-no-circuit-breaker
    return {"order": order, "stock": stock}
