import aiohttp
import httpx

client = httpx.AsyncClient(timeout=httpx.Timeout(10.0, connect=2.0))
default_client = httpx.Client()  # httpx's own 5 s default applies


async def fetch(url: str):
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as s:
        return await s.get(url)


def stream(url: str):
    return httpx.get(url, timeout=httpx.Timeout(30.0, read=None))
