import os

import httpx
from fastapi import APIRouter, Request
from pydantic import BaseModel

PRICING_URL = os.environ["PRICING_URL"]
router = APIRouter(prefix="/carts")
pricing = httpx.AsyncClient(base_url=PRICING_URL, timeout=5.0)


class Cart(BaseModel):
    skus: list[str]


async def price_of(sku: str) -> float:
    resp = await pricing.get(f"/prices/{sku}")
    resp.raise_for_status()
    return resp.json()["amount"]


async def stock_levels(request: Request, skus: list[str]) -> dict[str, int]:
    levels = {}
    for sku in skus:  # expect: http-sequential-fan-out
        resp = await request.app.state.http.get(f"/stock/{sku}")
        levels[sku] = resp.json()["available"]
    return levels


@router.post("/quote")
async def quote(cart: Cart, request: Request) -> dict:
    total = 0.0
    for sku in cart.skus:  # expect: http-sequential-fan-out
        total += await price_of(sku)
    levels = await stock_levels(request, cart.skus)
    return {"total": total, "levels": levels}


@router.post("/notify")
async def notify(cart: Cart) -> dict:
    for sku in cart.skus:  # expect: http-sequential-fan-out
        await pricing.post("/watch", json={"sku": sku})
    return {"watching": len(cart.skus)}
