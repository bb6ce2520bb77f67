import os

import httpx
from fastapi import FastAPI

INVENTORY_URL = os.environ["INVENTORY_URL"]
CATALOG_URL = os.environ["CATALOG_URL"]
app = FastAPI()
client = httpx.AsyncClient(timeout=5.0)


@app.get("/orders/{order_id}")
async def get_order(order_id: int) -> dict:
    item = await client.get(f"{INVENTORY_URL}/items/{order_id}")
    return {"id": order_id, "item": item.json()}


@app.get("/orders/{order_id}/product")
async def order_product(order_id: int) -> dict:
    # served by catalog's v1 router (include_router prefix /v1), which calls pricing
    product = await client.get(f"{CATALOG_URL}/v1/products/{order_id}")  # expect: boundary-sync-call-chain
    return product.json()
