import requests


def check_stock(item_id: int) -> bool:
    return requests.get(f"http://inventory:8000/items/{item_id}", timeout=3).ok
