import asyncio
import subprocess
import time
from contextlib import asynccontextmanager
from typing import Annotated

import requests
from fastapi import BackgroundTasks, Depends, FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import Session

from .db import get_sync_db
from .models import Order

engine = create_async_engine("postgresql+asyncpg://orders@db/orders")
SessionLocal = async_sessionmaker(engine)


@asynccontextmanager
async def lifespan(app: FastAPI):
    import httpx

    async with httpx.AsyncClient(timeout=5.0) as client:
        app.state.http = client
        yield


app = FastAPI(lifespan=lifespan)


async def get_db():
    async with SessionLocal() as db:
        yield db


DbSession = Annotated[AsyncSession, Depends(get_db)]


def render_pdf(order_id: int) -> None:
    # a worker-thread function: blocking is fine here
    time.sleep(0.5)
    subprocess.run(["wkhtmltopdf", f"{order_id}.html", f"{order_id}.pdf"], check=True)


@app.get("/orders/{order_id}")
async def get_order(order_id: int, db: DbSession, request: Request):
    await asyncio.sleep(0.2)
    order = (await db.execute(select(Order).where(Order.id == order_id))).scalar_one()
    stock = await request.app.state.http.get(f"http://inventory:8000/items/{order_id}")
    rates = await run_in_threadpool(requests.get, "https://rates.example.com/latest", timeout=5)
    await asyncio.to_thread(time.sleep, 0.1)
    await asyncio.get_running_loop().run_in_executor(None, lambda: requests.get("https://x.example.com", timeout=3))
    return {"order": order.id, "stock": stock.json(), "rates": rates.json()}


@app.post("/orders/{order_id}/invoice")
async def invoice(order_id: int, tasks: BackgroundTasks):
    def work() -> None:
        time.sleep(1)  # nested sync def: run by the background task machinery in a thread

    tasks.add_task(work)
    tasks.add_task(render_pdf, order_id)
    return {"status": "queued"}


@app.get("/legacy/{order_id}")
def legacy(order_id: int, db: Session = Depends(get_sync_db)):
    # plain def: FastAPI runs it in its thread pool, so sync I/O is fine
    time.sleep(0.1)
    resp = requests.get(f"http://inventory:8000/items/{order_id}", timeout=3)
    return {"order": db.get(Order, order_id), "stock": resp.json()}


async def nightly_sync():
    # not a route or dependency: outside the request path
    requests.get("http://erp:8000/export", timeout=30)
