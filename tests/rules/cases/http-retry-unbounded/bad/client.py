import asyncio

import httpx
import tenacity
from tenacity import retry, stop_never, wait_exponential

pricing = httpx.AsyncClient(base_url="http://pricing:8000", timeout=5.0)


@retry(wait=wait_exponential(max=10))  # expect: http-retry-unbounded
async def fetch_price(sku: str) -> dict:
    return (await pricing.get(f"/prices/{sku}")).json()


@tenacity.retry(wait=wait_exponential(max=10), stop=stop_never)  # expect: http-retry-unbounded
async def fetch_rates() -> dict:
    return (await pricing.get("/rates")).json()


async def wait_for_pricing() -> dict:
    delay = 0.5
    while True:  # expect: http-retry-unbounded
        try:
            resp = await pricing.get("/healthz")
            return resp.json()
        except httpx.TransportError:
            await asyncio.sleep(delay)
            delay = min(delay * 2, 30)
