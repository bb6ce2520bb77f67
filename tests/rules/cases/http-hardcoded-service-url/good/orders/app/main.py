import os

import httpx
from fastapi import FastAPI
from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    inventory_url: str = "http://inventory:8000"
    search_url: str = "http://search:9200"


settings = Settings()
PAYMENTS_URL = os.getenv("PAYMENTS_URL", "http://payments:8000")
app = FastAPI()
client = httpx.AsyncClient(timeout=5.0)


@app.get("/orders/{order_id}")
async def get_order(order_id: int) -> dict:
    """http://inventory:8000 serves the stock (see settings.inventory_url)."""
    stock = await client.get(f"{settings.inventory_url}/items/{order_id}")
    rates = await client.get("https://api.exchangerate.example.com/latest")
    return {"stock": stock.json(), "rates": rates.json()}
