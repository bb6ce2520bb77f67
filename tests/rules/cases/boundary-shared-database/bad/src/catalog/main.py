from fastapi import FastAPI
from sqlalchemy.ext.asyncio import create_async_engine

from catalog.settings import settings

app = FastAPI()
engine = create_async_engine(settings.database_url, pool_size=5)


@app.get("/products")
async def list_products() -> list[dict]:
    return []
