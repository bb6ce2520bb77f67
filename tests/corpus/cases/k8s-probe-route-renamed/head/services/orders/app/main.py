import os
from contextlib import asynccontextmanager

import httpx
from fastapi import Depends, FastAPI, HTTPException, Request
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import get_session
from app.models import Order
from app.schemas import OrderIn, OrderOut

INVENTORY_URL = os.environ["INVENTORY_URL"]


@asynccontextmanager
async def lifespan(app: FastAPI):
    app.state.http = httpx.AsyncClient(base_url=INVENTORY_URL, timeout=5.0)
    yield
    await app.state.http.aclose()


app = FastAPI(title="orders", lifespan=lifespan)


@app.get("/livez")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@app.post("/orders", response_model=OrderOut, status_code=201)
async def create_order(order: OrderIn, request: Request,
                       session: AsyncSession = Depends(get_session)) -> OrderOut:
    stock = await request.app.state.http.get(f"/items/{order.item_id}")
    if stock.json()["available"] < order.quantity:
        raise HTTPException(status_code=409, detail="out of stock")
    row = Order(item_id=order.item_id, quantity=order.quantity)
    session.add(row)
    await session.commit()
    return OrderOut(id=row.id, item_id=row.item_id, quantity=row.quantity, status="created")


@app.get("/orders/{order_id}", response_model=OrderOut)
async def get_order(order_id: int, session: AsyncSession = Depends(get_session)) -> OrderOut:
    row = await session.get(Order, order_id)
    if row is None:
        raise HTTPException(status_code=404, detail="no such order")
    return OrderOut(id=row.id, item_id=row.item_id, quantity=row.quantity, status=row.status)
