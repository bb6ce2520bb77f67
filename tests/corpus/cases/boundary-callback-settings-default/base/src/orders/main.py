from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI
from pydantic import BaseModel

from orders.settings import settings


class CheckoutOut(BaseModel):
    order_id: int
    invoice_id: int


@asynccontextmanager
async def lifespan(app: FastAPI):
    app.state.http = httpx.AsyncClient(timeout=3.0)
    yield
    await app.state.http.aclose()


app = FastAPI(title="orders", lifespan=lifespan)


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/orders/{order_id}")
async def get_order(order_id: int) -> dict:
    return {"id": order_id, "total": 1200}


@app.post("/orders/{order_id}/checkout", response_model=CheckoutOut)
async def checkout(order_id: int) -> CheckoutOut:
    invoice = await app.state.http.post(f"{settings.billing_url}/invoices/{order_id}")
    invoice.raise_for_status()
    return CheckoutOut(order_id=order_id, invoice_id=invoice.json()["id"])
