import os

import httpx
from fastapi import FastAPI

ORDERS_URL = os.environ["ORDERS_URL"]
app = FastAPI()
client = httpx.AsyncClient(timeout=5.0)


@app.post("/reservations")
async def reserve(item_id: int) -> dict:
    order = await client.get(f"{ORDERS_URL}/orders/{item_id}")
    return {"id": item_id, "order": order.json()}
