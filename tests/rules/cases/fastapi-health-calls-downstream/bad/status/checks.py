import os

import httpx
from sqlalchemy import create_engine, text

engine = create_engine(os.environ["DATABASE_URL"], pool_pre_ping=True)
inventory = httpx.AsyncClient(base_url="http://inventory:8000", timeout=2.0)


async def ping_inventory() -> None:
    resp = await inventory.get("/healthz")
    resp.raise_for_status()


def database_ok() -> bool:
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    return True
