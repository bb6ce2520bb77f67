import os

import httpx
from fastapi import Depends, FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import get_session

INVENTORY_URL = os.environ["INVENTORY_URL"]
CATALOG_URL = os.environ["CATALOG_URL"]
app = FastAPI()
client = httpx.AsyncClient(timeout=5.0)


@app.get("/orders/{order_id}")
async def get_order(order_id: int, session: AsyncSession = Depends(get_session)) -> dict:
    row = (await session.execute(text("SELECT id, item_stock FROM orders WHERE id = :id"), {"id": order_id})).one()
    return {"id": row.id, "stock": row.item_stock}


@app.post("/orders/{order_id}/refresh-stock")
async def refresh_stock(order_id: int) -> dict:
    item = await client.get(f"{INVENTORY_URL}/items/{order_id}")
    return {"id": order_id, "stock": item.json()["stock"]}


@app.get("/orders/{order_id}/product")
async def order_product(order_id: int) -> dict:
    product = await client.get(f"{CATALOG_URL}/v2/products/{order_id}")  # v2 calls nobody
    return product.json()
