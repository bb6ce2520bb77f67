import asyncio
import os

import requests

SHIPPING_URL = os.environ.get("SHIPPING_URL", "http://shipping:8000")


async def quote(item_id: int, quantity: int) -> float:
    resp = await asyncio.to_thread(requests.post, f"{SHIPPING_URL}/quotes", json={"item_id": item_id, "qty": quantity},
                                   timeout=(2, 5))
    resp.raise_for_status()
    return resp.json()["price"]
