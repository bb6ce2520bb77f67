from pydantic import Field
from pydantic_settings import BaseSettings
from sqlalchemy import create_engine


class SearchSettings(BaseSettings):
    """Search keeps its own index database; it learns about products from catalog's events."""

    database_url: str = Field(
        "postgresql://search@localhost:5432/search",
        description="its own database, never the catalog's (postgresql://catalog@catalog-db.internal:5432/catalog)",
    )
    index_dsn: str = "postgresql://search:search@search-db.internal:5432/search"


settings = SearchSettings()
engine = create_engine(settings.index_dsn, pool_pre_ping=True)
