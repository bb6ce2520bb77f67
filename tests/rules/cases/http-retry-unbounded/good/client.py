import asyncio
import time

import httpx
from tenacity import retry, stop_after_attempt, stop_after_delay, wait_exponential

pricing = httpx.AsyncClient(base_url="http://pricing:8000", timeout=5.0)


@retry(wait=wait_exponential(max=10), stop=(stop_after_attempt(5) | stop_after_delay(30)))
async def fetch_price(sku: str) -> dict:
    return (await pricing.get(f"/prices/{sku}")).json()


async def wait_for_pricing(deadline_s: float = 60) -> dict:
    started = time.monotonic()
    delay = 0.5
    while True:
        try:
            resp = await pricing.get("/healthz")
            return resp.json()
        except httpx.TransportError:
            if time.monotonic() - started > deadline_s:
                raise
            await asyncio.sleep(delay)
            delay = min(delay * 2, 30)


async def consume(queue: asyncio.Queue) -> None:
    # a worker loop, not a retry: each message is sent once
    while True:
        event = await queue.get()
        try:
            await pricing.post("/events", json=event)
        except httpx.TransportError:
            await asyncio.sleep(1)
