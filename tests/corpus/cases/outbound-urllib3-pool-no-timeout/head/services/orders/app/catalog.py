import json
import os

import urllib3
from fastapi import APIRouter
from pydantic import BaseModel

router = APIRouter(prefix="/catalog")
CATALOG_URL = os.environ.get("CATALOG_URL", "http://catalog:8000")
http = urllib3.PoolManager(retries=urllib3.Retry(total=2, backoff_factor=0.3))


def fetch_item(item_id: int) -> dict:
    resp = http.request("GET", f"{CATALOG_URL}/items/{item_id}")
    return json.loads(resp.data)


class CatalogItem(BaseModel):
    id: int
    name: str


@router.get("/{item_id}", response_model=CatalogItem)
def catalog_item(item_id: int) -> CatalogItem:
    return CatalogItem(**fetch_item(item_id))
