import os

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings

API_KEY_HEADER = "X-API-Key"
TOKEN_URL = "/auth/token"
JWT_ALGORITHM = "HS256"
PASSWORD_ENV_VAR = "ORDERS_DB_PASSWORD"
ACCESS_TOKEN_EXPIRE_MINUTES = 30
SECRET_KEY = os.environ["SECRET_KEY"]
INVALID_TOKEN_MESSAGE = "Could not validate the bearer token"


class Settings(BaseSettings):
    jwt_secret: SecretStr
    database_url: str = Field(..., examples=["postgresql://user:password@localhost/orders"])
    redis_password: str = "changeme"
    api_token: str = "${API_TOKEN}"
    broker_url: str = "amqp://guest:guest@rabbitmq:5672/"


def connect(password: str = "", dsn_template: str = "postgresql://{user}:{password}@{host}/orders"):
    return dsn_template.format(user="orders", password=password, host="db")


class LocalSettings(BaseSettings):
    # well-known local-development defaults and placeholders: nobody's secret
    db_user: str = "orders"
    db_password: str = "orders"
    postgres_password: str = "postgres"
    jwt_secret_key: str = "dev-secret-key"
    slack_bot_token: str = "xoxb-test"
    admin_password: str = "changeme"
    database_url: str = "postgresql://postgres:postgres@localhost:5432/orders"
