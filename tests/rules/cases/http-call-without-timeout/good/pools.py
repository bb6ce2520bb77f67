import json
import os

import urllib3
from fastapi import FastAPI

app = FastAPI()
http = urllib3.PoolManager(timeout=urllib3.Timeout(connect=2.0, read=5.0), retries=urllib3.Retry(total=3, backoff_factor=0.5))
plain = urllib3.PoolManager()
CATALOG_URL = os.environ["CATALOG_URL"]


def catalog_item(item_id: int) -> dict:
    resp = http.request("GET", f"{CATALOG_URL}/items/{item_id}")
    return json.loads(resp.data)


@app.get("/items/{item_id}")
def get_item(item_id: int) -> dict:
    return catalog_item(item_id)


def warm_cache() -> None:
    plain.request("GET", f"{CATALOG_URL}/warm", timeout=3.0)
