import time

import httpx
import requests
from requests.adapters import HTTPAdapter
from tenacity import retry, retry_if_exception_type, stop_after_attempt, wait_exponential
from urllib3.util.retry import Retry

inventory = httpx.Client(base_url="http://inventory:8000", timeout=5.0)


@retry(
    wait=wait_exponential(multiplier=0.2, max=5),
    stop=stop_after_attempt(4),
    retry=retry_if_exception_type(httpx.TransportError),
)
def fetch_stock(sku: str) -> dict:
    return inventory.get(f"/items/{sku}").json()


def session_with_retries() -> requests.Session:
    s = requests.Session()
    s.mount("http://", HTTPAdapter(max_retries=Retry(total=3, backoff_factor=0.5, status_forcelist=[502, 503])))
    s.mount("https://", HTTPAdapter(max_retries=Retry(0)))
    return s


def fetch_catalog() -> dict:
    for attempt in range(5):
        try:
            resp = requests.get("http://catalog:8000/items", timeout=3)
            resp.raise_for_status()
            return resp.json()
        except requests.RequestException:
            time.sleep(min(2 ** attempt, 10))
    raise RuntimeError("catalog unavailable")


def fetch_all(urls: list[str]) -> list[dict]:
    # iterating over different URLs is not a retry
    out = []
    for url in urls:
        try:
            out.append(requests.get(url, timeout=3).json())
        except requests.RequestException:
            continue
    return out
