import json
import urllib.request


def load_catalog() -> dict:
    with urllib.request.urlopen("http://catalog:8000/items.json", timeout=3) as page:
        return json.load(page)
