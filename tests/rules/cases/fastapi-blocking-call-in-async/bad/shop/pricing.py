import httpx


def lookup(item_id: int) -> dict:
    return httpx.get(f"http://pricing:8000/prices/{item_id}", timeout=2).json()
