import httpx
from fastapi import APIRouter, Depends, FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from .db import get_db

app = FastAPI()
health = APIRouter(prefix="/health")
inventory = httpx.AsyncClient(base_url="http://inventory:8000", timeout=2.0)


async def ping_db(db: AsyncSession) -> None:
    await db.execute(text("SELECT 1"))


@app.get("/healthz")
async def healthz(db: AsyncSession = Depends(get_db)):
    await db.execute(text("SELECT 1"))  # expect: fastapi-health-calls-downstream
    return {"status": "ok"}


@health.get("/live")
async def live(db: AsyncSession = Depends(get_db)):
    await ping_db(db)  # expect: fastapi-health-calls-downstream
    return {"status": "ok"}


@app.get("/api/v1/liveness")
async def liveness():
    resp = await inventory.get("/healthz")  # expect: fastapi-health-calls-downstream
    return {"inventory": resp.status_code}


app.include_router(health)
