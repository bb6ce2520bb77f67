import time
import uuid

import httpx
import requests
from tenacity import retry, retry_if_exception_type, stop_after_attempt, wait_exponential
from urllib3.util.retry import Retry

payments = httpx.Client(base_url="http://payments:8000", timeout=5.0)


@retry(stop=stop_after_attempt(3), wait=wait_exponential(max=5))
def charge(order_id: int, amount: int, key: str) -> dict:
    resp = payments.post("/charges", json={"order": order_id, "amount": amount}, headers={"Idempotency-Key": key})
    return resp.json()


@retry(stop=stop_after_attempt(3), wait=wait_exponential(max=5), retry=retry_if_exception_type(httpx.ConnectError))
def notify(order_id: int) -> None:
    # only connection failures are retried: the request never reached the server
    payments.post("/notifications", json={"order": order_id})


def create_shipment(order_id: int) -> dict:
    key = str(uuid.uuid4())
    for attempt in range(3):
        try:
            resp = requests.post("http://shipping:8000/shipments", json={"order": order_id},
                                 headers={"Idempotency-Key": key}, timeout=5)
            return resp.json()
        except requests.RequestException:
            time.sleep(2 ** attempt)
    raise RuntimeError("shipping unavailable")


@retry(stop=stop_after_attempt(3), wait=wait_exponential(max=5))
def fetch_order(order_id: int) -> dict:
    return payments.get(f"/orders/{order_id}").json()


SAFE_RETRY = Retry(total=3, backoff_factor=0.5, allowed_methods=["GET", "HEAD", "PUT", "DELETE"])
