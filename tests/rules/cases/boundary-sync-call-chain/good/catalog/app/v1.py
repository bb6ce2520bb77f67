import os

import httpx
from fastapi import APIRouter

PRICING_URL = os.environ["PRICING_URL"]
router = APIRouter()
client = httpx.AsyncClient(timeout=2.0)


@router.get("/products/{product_id}")
async def product_v1(product_id: int) -> dict:
    price = await client.get(f"{PRICING_URL}/prices/{product_id}")
    return {"id": product_id, "price": price.json()["amount"]}
