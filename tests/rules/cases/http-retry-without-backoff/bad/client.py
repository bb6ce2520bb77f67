import httpx
import requests
from requests.adapters import HTTPAdapter
from tenacity import retry, stop_after_attempt, wait_none
from urllib3.util.retry import Retry

inventory = httpx.Client(base_url="http://inventory:8000", timeout=5.0)


@retry(stop=stop_after_attempt(5))  # expect: http-retry-without-backoff
def fetch_stock(sku: str) -> dict:
    return inventory.get(f"/items/{sku}").json()


@retry(stop=stop_after_attempt(3), wait=wait_none())  # expect: http-retry-without-backoff
def fetch_price(sku: str) -> dict:
    return inventory.get(f"/prices/{sku}").json()


def session_with_retries() -> requests.Session:
    s = requests.Session()
    s.mount("http://", HTTPAdapter(max_retries=Retry(total=5, status_forcelist=[502, 503])))  # expect: http-retry-without-backoff
    return s


def fetch_catalog() -> dict:
    for attempt in range(5):
        try:
            resp = requests.get("http://catalog:8000/items", timeout=3)
            resp.raise_for_status()
            return resp.json()
        except requests.RequestException:  # expect: http-retry-without-backoff
            continue
    raise RuntimeError("catalog unavailable")
