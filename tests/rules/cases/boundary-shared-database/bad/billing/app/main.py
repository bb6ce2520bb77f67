import os

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import create_async_engine

app = FastAPI()
engine = create_async_engine(os.environ["DATABASE_URL"], pool_pre_ping=True)


@app.get("/livez")
async def livez() -> dict[str, str]:
    return {"status": "alive"}
