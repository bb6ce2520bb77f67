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
