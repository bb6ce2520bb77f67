from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env")

    database_url: str = "postgresql+asyncpg://catalog:catalog@catalog-db.internal:5432/catalog"
    page_size: int = 50


settings = Settings()
