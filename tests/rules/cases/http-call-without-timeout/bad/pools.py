import json
import os

import urllib3
from fastapi import FastAPI

app = FastAPI()
http = urllib3.PoolManager(retries=urllib3.Retry(total=3, backoff_factor=0.5))
CATALOG_URL = os.environ["CATALOG_URL"]


def catalog_item(item_id: int) -> dict:
    resp = http.request("GET", f"{CATALOG_URL}/items/{item_id}")  # expect: http-call-without-timeout
    return json.loads(resp.data)


@app.get("/items/{item_id}")
def get_item(item_id: int) -> dict:
    return catalog_item(item_id)


def warm_cache() -> None:
    urllib3.PoolManager().urlopen("GET", f"{CATALOG_URL}/warm")  # expect: http-call-without-timeout
