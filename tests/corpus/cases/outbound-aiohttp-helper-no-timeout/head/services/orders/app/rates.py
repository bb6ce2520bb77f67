import os

import aiohttp

RATES_URL = os.environ.get("RATES_URL", "https://rates.example.com")


async def get_json(path: str) -> dict:
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{RATES_URL}{path}") as resp:
            resp.raise_for_status()
            return await resp.json()


async def rate(currency: str) -> float:
    body = await get_json(f"/latest/{currency}")
    return body["rate"]
