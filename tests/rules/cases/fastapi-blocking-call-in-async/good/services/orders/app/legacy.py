import requests


def fetch_history(item_id: int) -> list[dict]:
    return requests.get(f"http://erp:8000/history/{item_id}", timeout=10).json()
