from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", env_file=".env")

    currency: str = "EUR"
    ledger_url: str = "http://ledger:8000"


settings = Settings()
