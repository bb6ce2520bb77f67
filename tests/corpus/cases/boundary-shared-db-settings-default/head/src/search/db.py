from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from search.settings import settings

engine = create_async_engine(settings.index_dsn, pool_size=5, pool_pre_ping=True)
SessionLocal = async_sessionmaker(engine, expire_on_commit=False)
