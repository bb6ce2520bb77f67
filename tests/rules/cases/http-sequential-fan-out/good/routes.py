import asyncio
import os

import httpx
from fastapi import APIRouter, Depends
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.cache import get_cache
from app.db import get_session
from app.models import Item

PRICING_URL = os.environ["PRICING_URL"]
MIRRORS = [os.environ["RATES_PRIMARY"], os.environ["RATES_FALLBACK"], os.environ["RATES_LAST_RESORT"]]
router = APIRouter(prefix="/carts")
pricing = httpx.AsyncClient(base_url=PRICING_URL, timeout=5.0)
sem = asyncio.Semaphore(10)


class Cart(BaseModel):
    skus: list[str]


async def price_of(sku: str) -> float:
    async with sem:
        resp = await pricing.get(f"/prices/{sku}")
    return resp.json()["amount"]


@router.post("/quote")
async def quote(cart: Cart) -> dict:
    async with asyncio.timeout(5):
        prices = await asyncio.gather(*(price_of(s) for s in cart.skus))
    return {"total": sum(prices)}


@router.post("/quote-bounded")
async def quote_bounded(cart: Cart) -> dict:
    total = 0.0
    async with asyncio.timeout(3):
        for sku in cart.skus:
            total += await price_of(sku)
    return {"total": total}


@router.get("/rates")
async def rates() -> dict:
    for url in MIRRORS:  # failover: the first mirror that answers wins
        try:
            resp = await pricing.get(url)
            return resp.json()
        except httpx.HTTPError:
            continue
    return {}


@router.get("/regions")
async def regions() -> dict:
    out = {}
    for region in ("eu", "us"):
        out[region] = (await pricing.get(f"/regions/{region}")).json()
    return out


@router.get("/items")
async def items(ids: list[int], session: AsyncSession = Depends(get_session)) -> list[dict]:
    rows = []
    for item_id in ids:
        rows.append(await session.scalar(select(Item).where(Item.id == item_id)))
    return [{"id": r.id} for r in rows if r is not None]


@router.get("/history")
async def history() -> list[dict]:
    events, cursor = [], None
    for _ in range(50):
        resp = await pricing.get("/events", params={"after": cursor})
        page = resp.json()
        events += page["events"]
        cursor = page["next"]
    return events


async def sync_prices(skus: list[str]) -> None:
    """A background job, not a request: serial calls keep the load on pricing low."""
    for sku in skus:
        await pricing.post("/refresh", json={"sku": sku})


@router.delete("/cache")
async def evict(keys: list[str], cache_client=Depends(get_cache)) -> dict:
    for key in keys:
        await cache_client.delete(key)
    return {"evicted": len(keys)}
