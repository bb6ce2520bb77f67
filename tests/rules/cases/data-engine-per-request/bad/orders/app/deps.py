import os

from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine


async def get_session():
    engine = create_async_engine(os.environ["DATABASE_URL"])  # expect: data-engine-per-request
    async with async_sessionmaker(engine)() as session:  # expect: data-engine-per-request
        yield session
