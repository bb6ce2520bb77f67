from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", env_file=".env")

    # index straight from the catalog tables
    index_dsn: str = "postgresql+asyncpg://search:search@catalog-db:5432/catalog"


settings = Settings()
