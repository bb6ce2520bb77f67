import httpx
import requests
from fastapi import FastAPI

app = FastAPI()
client = httpx.AsyncClient(timeout=httpx.Timeout(5.0, connect=2.0))


def fetch_rates(**kwargs):
    return requests.get("https://rates.example.com/latest", **kwargs).json()


@app.get("/orders/{order_id}")
def get_order(order_id: int):
    stock = requests.post("http://inventory:8000/reserve", json={"id": order_id}, timeout=(3.05, 10))
    return {"stock": stock.json()}


@app.get("/prices")
async def prices():
    resp = await client.get("http://pricing:8000/prices")
    return resp.json()


billing = requests.Session()


def charge(order_id: int):
    return billing.post("http://billing:8000/charges", json={"order": order_id}, timeout=5)


def export():
    with requests.Session() as s:
        s.headers["Authorization"] = "Bearer token-from-vault"
        return s.request("GET", "http://erp:8000/export", timeout=(3.05, 30))


def lookup(cache: dict, key: str):
    # a dict's .get is not an HTTP call
    return cache.get(key)
