import os
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI
from pydantic import BaseModel

INVENTORY_URL = os.environ["INVENTORY_URL"]


class OrderIn(BaseModel):
    item_id: int
    quantity: int


class OrderOut(BaseModel):
    id: int
    reservation_id: int


@asynccontextmanager
async def lifespan(app: FastAPI):
    app.state.inventory = httpx.AsyncClient(base_url=INVENTORY_URL, timeout=3.0)
    yield
    await app.state.inventory.aclose()


app = FastAPI(title="orders", lifespan=lifespan)


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@app.post("/orders", response_model=OrderOut, status_code=201)
async def create_order(body: OrderIn) -> OrderOut:
    resp = await app.state.inventory.post("/reservations", json=body.model_dump())
    resp.raise_for_status()
    return OrderOut(id=1, reservation_id=resp.json()["id"])


@app.get("/orders/{order_id}", response_model=OrderOut)
async def get_order(order_id: int) -> OrderOut:
    return OrderOut(id=order_id, reservation_id=0)
