import asyncio
import os

import httpx
from fastapi import FastAPI
from pydantic import BaseModel

PRICING_URL = os.environ["PRICING_URL"]
app = FastAPI()
client = httpx.AsyncClient(base_url=PRICING_URL, timeout=5.0)


class Price(BaseModel):
    item_id: int
    cents: int


async def price_of(item_id: int) -> Price:
    return Price(**(await client.get(f"/prices/{item_id}")).json())


@app.post("/quotes")
async def quote(item_ids: list[int]) -> list[Price]:
    return [await price_of(i) for i in item_ids]
