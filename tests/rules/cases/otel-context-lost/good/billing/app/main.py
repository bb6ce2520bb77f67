import os

import httpx
from fastapi import FastAPI

INVENTORY_URL = os.environ["INVENTORY_URL"]
app = FastAPI()


@app.get("/orders/{order_id}/stock")
async def stock(order_id: int) -> dict[str, int]:
    async with httpx.AsyncClient(timeout=5.0) as client:
        resp = await client.get(f"{INVENTORY_URL}/items/{order_id}")
    return {"stock": resp.json()["stock"]}
