import os

from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine


async def get_session():
    engine = create_async_engine(os.environ["DATABASE_URL"], pool_pre_ping=True)
    async with async_sessionmaker(engine, expire_on_commit=False)() as session:
        yield session
