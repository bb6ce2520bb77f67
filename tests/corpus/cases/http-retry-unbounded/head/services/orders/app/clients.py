import httpx
from tenacity import retry, wait_exponential


@retry(wait=wait_exponential(multiplier=0.2, max=5))
def reserve_stock(item_id: int) -> None:
    httpx.put(f"http://inventory:8000/items/{item_id}/reservation", timeout=3).raise_for_status()
