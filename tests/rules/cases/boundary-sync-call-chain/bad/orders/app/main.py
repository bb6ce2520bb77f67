import os

import httpx
from fastapi import FastAPI

INVENTORY_URL = os.environ["INVENTORY_URL"]
app = FastAPI()
client = httpx.AsyncClient(timeout=5.0)


@app.get("/orders/{order_id}")
async def get_order(order_id: int) -> dict:
    item = await client.get(f"{INVENTORY_URL}/items/{order_id}")
    return {"id": order_id, "item": item.json()}
