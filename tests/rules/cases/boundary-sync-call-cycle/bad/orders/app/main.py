from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI
from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    inventory_url: str


settings = Settings()


@asynccontextmanager
async def lifespan(app: FastAPI):
    app.state.inventory = httpx.AsyncClient(base_url=settings.inventory_url, timeout=5.0)
    yield
    await app.state.inventory.aclose()


app = FastAPI(lifespan=lifespan)


@app.post("/orders")
async def create_order(item_id: int) -> dict:
    resp = await app.state.inventory.post(f"{settings.inventory_url}/reservations", json={"item_id": item_id})  # expect: boundary-sync-call-cycle
    resp.raise_for_status()
    return {"reservation": resp.json()["id"]}


@app.get("/orders/{order_id}")
async def get_order(order_id: int) -> dict:
    return {"id": order_id}
