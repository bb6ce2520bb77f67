from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI

from .events import bus


@asynccontextmanager
async def lifespan(app: FastAPI):
    async with httpx.AsyncClient(timeout=5.0) as client:
        app.state.http = client
        yield


app = FastAPI(lifespan=lifespan)


@bus.on_event("order_created")  # a domain event bus, not FastAPI's startup hook
async def notify(order_id: int) -> None:
    ...
