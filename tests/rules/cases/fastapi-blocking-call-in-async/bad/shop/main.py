from typing import Annotated

from fastapi import Depends, FastAPI, Header

from shop import notify
from shop.catalog import load_catalog
from shop.clients import fetch_price

from . import clients
from .clients import fetch_stock

app = FastAPI()


async def current_user(authorization: Annotated[str, Header()]) -> dict:
    return clients.introspect(authorization)  # expect: fastapi-blocking-call-in-async


@app.get("/items/{item_id}")
async def get_item(item_id: int, user: Annotated[dict, Depends(current_user)]) -> dict:
    stock = fetch_stock(item_id)  # expect: fastapi-blocking-call-in-async
    price = fetch_price(item_id)  # expect: fastapi-blocking-call-in-async
    catalog = load_catalog()  # expect: fastapi-blocking-call-in-async
    return {"stock": stock, "price": price, "name": catalog[str(item_id)], "user": user["sub"]}


@app.post("/items/{item_id}/reserve")
async def reserve(item_id: int) -> dict:
    clients.reserve(item_id)  # expect: fastapi-blocking-call-in-async
    notify.item_reserved(item_id)  # expect: fastapi-blocking-call-in-async
    return {"status": "reserved"}
