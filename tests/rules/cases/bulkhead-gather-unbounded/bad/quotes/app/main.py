import asyncio
import os

import httpx
from fastapi import FastAPI

PRICING_URL = os.environ["PRICING_URL"]
REGIONS = ("eu", "us", "ap")
app = FastAPI()
client = httpx.AsyncClient(base_url=PRICING_URL, timeout=5.0)


async def price_of(item_id: int) -> dict:
    return (await client.get(f"/prices/{item_id}")).json()


@app.post("/quotes")
async def quote(item_ids: list[int]) -> list[dict]:
    return await asyncio.gather(*(price_of(i) for i in item_ids))  # expect: bulkhead-gather-unbounded


@app.get("/regions")
async def regions() -> list[dict]:
    return await asyncio.gather(*[client.get(f"/regions/{r}") for r in REGIONS])
