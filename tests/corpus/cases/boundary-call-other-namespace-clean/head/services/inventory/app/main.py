import os
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI
from pydantic import BaseModel

LEGACY_ORDERS_URL = os.environ["LEGACY_ORDERS_URL"]


@asynccontextmanager
async def lifespan(app: FastAPI):
    app.state.http = httpx.AsyncClient(timeout=2.0)
    yield
    await app.state.http.aclose()


app = FastAPI(title="inventory", lifespan=lifespan)


class ReservationIn(BaseModel):
    item_id: int
    quantity: int


class ReservationOut(BaseModel):
    id: int
    item_id: int


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@app.post("/reservations", response_model=ReservationOut, status_code=201)
async def reserve(body: ReservationIn) -> ReservationOut:
    order = (await app.state.http.get(f"{LEGACY_ORDERS_URL}/orders/{body.item_id}")).json()
    return ReservationOut(id=body.item_id, item_id=body.item_id)
