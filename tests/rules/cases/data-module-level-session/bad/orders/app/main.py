from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from .db import db
from .models import Order

app = FastAPI()
session = AsyncSession(create_async_engine("postgresql+asyncpg://orders@db/orders"))  # expect: data-module-level-session


@app.get("/orders/{order_id}")
def get_order(order_id: int):
    return db.get(Order, order_id)
