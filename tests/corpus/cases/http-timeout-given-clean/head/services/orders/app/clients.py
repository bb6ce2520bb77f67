import os

import requests

RATES_URL = os.environ.get("RATES_URL", "https://rates.example.com")


def fetch_rates(currency: str) -> dict:
    resp = requests.get(f"{RATES_URL}/latest", params={"base": currency}, timeout=(2, 5))
    resp.raise_for_status()
    return resp.json()
