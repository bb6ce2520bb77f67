import os
from functools import lru_cache
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI, Request
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine


@asynccontextmanager
async def lifespan(app: FastAPI):
    engine = create_async_engine(os.environ["DATABASE_URL"], pool_pre_ping=True)
    app.state.sessions = async_sessionmaker(engine, expire_on_commit=False)
    yield
    await engine.dispose()


app = FastAPI(lifespan=lifespan)


async def get_session(request: Request):
    async with request.app.state.sessions() as session:
        yield session


@app.get("/orders/count")
async def count_orders(session: AsyncSession = Depends(get_session)) -> dict[str, int]:
    return {"count": (await session.execute(text("select count(*) from orders"))).scalar_one()}


@lru_cache
def get_reports_engine():
    return create_async_engine(os.environ["REPORTS_URL"])


@app.get("/reports/count")
async def count_reports(engine=Depends(get_reports_engine)) -> dict[str, int]:
    async with engine.connect() as conn:
        return {"count": (await conn.execute(text("select count(*) from reports"))).scalar_one()}
