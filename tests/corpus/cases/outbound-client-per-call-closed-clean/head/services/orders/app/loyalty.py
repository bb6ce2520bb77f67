import os

import httpx

LOYALTY_URL = os.environ.get("LOYALTY_URL", "http://loyalty:8000")


async def award_points(customer_id: int, points: int) -> None:
    async with httpx.AsyncClient(base_url=LOYALTY_URL, timeout=5.0) as client:
        resp = await client.post(f"/customers/{customer_id}/points", json={"points": points})
    resp.raise_for_status()
