"""Inventory service: owns stock levels and the inventory database."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI, HTTPException
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from models import StockItem

engine = create_async_engine(os.environ["DATABASE_URL"], pool_size=10, pool_pre_ping=True)
SessionLocal = async_sessionmaker(engine, expire_on_commit=False)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    yield
    await engine.dispose()


app = FastAPI(title="inventory", lifespan=lifespan)


async def get_session() -> AsyncIterator[AsyncSession]:
    async with SessionLocal() as session:
        yield session


class Stock(BaseModel):
    sku: str
    available: int


class Health(BaseModel):
    status: str


@app.get("/healthz")
async def healthz() -> Health:
    return Health(status="ok")


@app.get("/v1/stock/{sku}")
async def get_stock(sku: str, session: AsyncSession = Depends(get_session)) -> Stock:
    item = await session.scalar(select(StockItem).where(StockItem.sku == sku))
    if item is None:
        raise HTTPException(status_code=404, detail=f"unknown sku {sku}")
    return Stock(sku=item.sku, available=item.available)
