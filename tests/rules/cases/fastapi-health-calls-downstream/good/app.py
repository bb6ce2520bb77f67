import httpx
from fastapi import Depends, FastAPI, Response
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from .db import get_db

app = FastAPI()
inventory = httpx.AsyncClient(base_url="http://inventory:8000", timeout=2.0)
STARTED = {"ready": False}


@app.get("/livez")
async def livez():
    return {"status": "ok"}


@app.get("/health")
async def health(response: Response):
    if not STARTED.get("ready"):
        response.status_code = 503
    return {"status": "ok"}


@app.get("/readyz")
async def readyz(db: AsyncSession = Depends(get_db)):
    await db.execute(text("SELECT 1"))
    resp = await inventory.get("/livez")
    return {"db": "ok", "inventory": resp.status_code}
