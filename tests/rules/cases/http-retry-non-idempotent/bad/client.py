import time

import httpx
import requests
from tenacity import retry, stop_after_attempt, wait_exponential
from urllib3.util.retry import Retry

payments = httpx.Client(base_url="http://payments:8000", timeout=5.0)


@retry(stop=stop_after_attempt(3), wait=wait_exponential(max=5))
def charge(order_id: int, amount: int) -> dict:
    resp = payments.post("/charges", json={"order": order_id, "amount": amount})  # expect: http-retry-non-idempotent
    return resp.json()


def create_shipment(order_id: int) -> dict:
    for attempt in range(3):
        try:
            resp = requests.post("http://shipping:8000/shipments", json={"order": order_id}, timeout=5)  # expect: http-retry-non-idempotent
            return resp.json()
        except requests.RequestException:
            time.sleep(2 ** attempt)
    raise RuntimeError("shipping unavailable")


RETRY_EVERYTHING = Retry(total=3, backoff_factor=0.5, allowed_methods=None)  # expect: http-retry-non-idempotent
