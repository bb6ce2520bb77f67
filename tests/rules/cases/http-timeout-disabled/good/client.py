import aiohttp
import httpx

client = httpx.AsyncClient(timeout=httpx.Timeout(10.0, connect=2.0))
default_client = httpx.Client()  # httpx's own 5 s default applies


async def fetch(url: str):
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as s:
        return await s.get(url)


def stream(url: str):
    return httpx.get(url, timeout=httpx.Timeout(30.0, read=None))


shared = httpx.Client(timeout=10.0)


def report(url: str):
    # a long export gets a longer read timeout, still bounded
    return shared.get(url, timeout=httpx.Timeout(10.0, read=120.0))


def upload(url: str, data: bytes):
    timeout = aiohttp.ClientTimeout(total=None, sock_connect=5, sock_read=60)
    return timeout, url, data
