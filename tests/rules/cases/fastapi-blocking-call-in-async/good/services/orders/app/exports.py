from collections.abc import Iterator

import requests


def rows() -> Iterator[str]:
    page = requests.get("http://erp:8000/items", timeout=30).json()
    for item in page:
        yield f"{item['id']},{item['name']}\n"
