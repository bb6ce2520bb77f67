import os

import httpx

pricing = httpx.AsyncClient(base_url=os.environ.get("PRICING_URL", "http://pricing:8000"), timeout=3.0)


async def unit_price(item_id: int) -> float:
    resp = await pricing.get(f"/prices/{item_id}")
    resp.raise_for_status()
    return resp.json()["amount"]
