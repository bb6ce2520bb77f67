import urllib.request

import requests
from fastapi import FastAPI

app = FastAPI()


def fetch_rates():
    return requests.get("https://rates.example.com/latest").json()  # expect: http-call-without-timeout


@app.get("/orders/{order_id}")
def get_order(order_id: int):
    stock = requests.post("http://inventory:8000/reserve", json={"id": order_id})  # expect: http-call-without-timeout
    page = urllib.request.urlopen("http://catalog:8000/items")  # expect: http-call-without-timeout
    return {"stock": stock.json(), "page": page.read()}


billing = requests.Session()


class Gateway:
    def __init__(self) -> None:
        self.http = requests.Session()

    def ping(self):
        return self.http.head("http://gateway:8000/ping")  # expect: http-call-without-timeout


def charge(order_id: int):
    return billing.post("http://billing:8000/charges", json={"order": order_id})  # expect: http-call-without-timeout


def export():
    with requests.Session() as s:
        s.headers["Authorization"] = "Bearer token-from-vault"
        return s.request("GET", "http://erp:8000/export")  # expect: http-call-without-timeout
