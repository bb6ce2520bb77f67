import requests
from sqlalchemy import text
from sqlalchemy.orm import Session

from shop.db import engine
from shop.pricing import lookup


def fetch_stock(item_id: int) -> dict:
    resp = requests.get(f"http://inventory:8000/items/{item_id}", timeout=3)
    resp.raise_for_status()
    return resp.json()


def fetch_price(item_id: int) -> float:
    return lookup(item_id)["price"]


def introspect(token: str) -> dict:
    return requests.post("http://auth:8000/introspect", data={"token": token}, timeout=2).json()


def reserve(item_id: int) -> None:
    with Session(engine) as session:
        session.execute(text("UPDATE stock SET reserved = reserved + 1 WHERE item_id = :id"), {"id": item_id})
        session.commit()
