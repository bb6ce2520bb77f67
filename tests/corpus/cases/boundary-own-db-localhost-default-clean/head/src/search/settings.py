from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", env_file=".env")

    # its own index database; products arrive as catalog events
    index_dsn: str = "postgresql+asyncpg://search:search@localhost:5432/search"
    catalog_events_topic: str = "catalog.products"


settings = Settings()
