"""Orders service: takes orders and reserves stock through the inventory API."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import requests
from fastapi import FastAPI, HTTPException, Request
from pydantic import BaseModel

INVENTORY_URL = os.environ["INVENTORY_URL"]


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    # one pooled client for the whole process, with explicit timeouts
    async with httpx.AsyncClient(base_url=INVENTORY_URL, timeout=httpx.Timeout(5.0, connect=2.0)) as client:
        app.state.inventory = client
        yield


app = FastAPI(title="orders", lifespan=lifespan)


class OrderIn(BaseModel):
    sku: str
    quantity: int


class Order(BaseModel):
    id: int
    sku: str
    quantity: int
    status: str


class StockLevel(BaseModel):
    sku: str
    available: int


class Health(BaseModel):
    status: str


@app.get("/healthz")
async def healthz() -> Health:
    return Health(status="ok")


@app.get("/readyz")
async def readyz() -> Health:
    return Health(status="ready")


@app.post("/v1/orders", status_code=201)
async def create_order(order: OrderIn, request: Request) -> Order:
    resp = await request.app.state.inventory.get(f"/v1/stock/{order.sku}")
    if resp.status_code == 404:
        raise HTTPException(status_code=404, detail=f"unknown sku {order.sku}")
    resp.raise_for_status()
    if resp.json()["available"] < order.quantity:
        raise HTTPException(status_code=409, detail="not enough stock")
    return Order(id=1, sku=order.sku, quantity=order.quantity, status="reserved")


@app.get("/v1/availability/{sku}")
async def availability(sku: str) -> StockLevel:
    resp = requests.get(f"{INVENTORY_URL}/v1/stock/{sku}")
    resp.raise_for_status()
    return StockLevel(**resp.json())


@app.get("/v1/stock-report/{sku}")
def stock_report(sku: str) -> StockLevel:
    # a sync route runs in the threadpool, so a blocking call with a timeout is fine here
    resp = requests.get(f"{INVENTORY_URL}/v1/stock/{sku}", timeout=(3.05, 10))
    resp.raise_for_status()
    return StockLevel(**resp.json())
