import aiohttp
import httpx
import requests
from fastapi import Depends, FastAPI

app = FastAPI()


async def inventory_client():
    async with httpx.AsyncClient(base_url="http://inventory:8000", timeout=5.0) as client:  # expect: fastapi-http-client-per-request
        yield client


@app.get("/orders/{order_id}")
async def get_order(order_id: int, inventory: httpx.AsyncClient = Depends(inventory_client)):
    resp = await inventory.get(f"/items/{order_id}")
    return resp.json()


@app.get("/prices/{sku}")
async def get_price(sku: str):
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session:  # expect: fastapi-http-client-per-request
        async with session.get(f"http://pricing:8000/prices/{sku}") as resp:
            return await resp.json()


@app.get("/rates")
def get_rates():
    session = requests.Session()  # expect: fastapi-http-client-per-request
    return session.get("https://rates.example.com/latest", timeout=5).json()


async def fetch_stock(sku: str) -> dict:
    async with httpx.AsyncClient(timeout=5.0) as client:  # expect: fastapi-http-client-per-request
        resp = await client.get(f"http://inventory:8000/stock/{sku}")
        return resp.json()


@app.get("/stock/{sku}")
async def stock(sku: str):
    return await fetch_stock(sku)
