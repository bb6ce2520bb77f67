import ssl

import aiohttp
import httpx
import requests

partner = httpx.AsyncClient(base_url="https://partner.example.com", verify=False, timeout=5.0)  # expect: http-tls-verify-disabled
session = requests.Session()
session.verify = False  # expect: http-tls-verify-disabled

ctx = ssl.create_default_context()
ctx.check_hostname = False  # expect: http-tls-verify-disabled
ctx.verify_mode = ssl.CERT_NONE  # expect: http-tls-verify-disabled


def fetch_invoice(invoice_id: str) -> bytes:
    return requests.get(f"https://billing.internal/invoices/{invoice_id}", verify=False, timeout=5).content  # expect: http-tls-verify-disabled


async def fetch_feed(url: str) -> str:
    connector = aiohttp.TCPConnector(ssl=False)  # expect: http-tls-verify-disabled
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=10)) as s:
        async with s.get(url) as resp:
            return await resp.text()
