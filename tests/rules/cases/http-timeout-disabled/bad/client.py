import aiohttp
import httpx

slow = httpx.AsyncClient(timeout=None)  # expect: http-timeout-disabled


async def fetch(url: str):
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=None)) as s:  # expect: http-timeout-disabled
        return await s.get(url)


def sync_fetch(url: str):
    return httpx.get(url, timeout=None)  # expect: http-timeout-disabled


shared = httpx.Client(timeout=10.0)


def report(url: str):
    return shared.get(url, timeout=None)  # expect: http-timeout-disabled
