import httpx
from tenacity import retry, stop_after_attempt, wait_exponential_jitter


@retry(stop=stop_after_attempt(4), wait=wait_exponential_jitter(initial=0.2, max=5))
def reserve_stock(item_id: int) -> None:
    httpx.put(f"http://inventory:8000/items/{item_id}/reservation", timeout=3).raise_for_status()
