import os

import boto3
import jwt
from pydantic import Field
from pydantic_settings import BaseSettings

SECRET_KEY = "09d25e094faa6ca2556c818166b7a9563b93f7099f6f0f4caa6cf63b88e8d3e7"  # expect: fastapi-hardcoded-secret
STRIPE_KEY = "sk_live_4eC39HqLyjWDarjtT1zdp7dc"  # expect: fastapi-hardcoded-secret
JWT_SECRET = os.getenv("JWT_SECRET", "s3cr3t-signing-k3y")  # expect: fastapi-hardcoded-secret


class Settings(BaseSettings):
    database_url: str = "postgresql://orders:Tr0ub4dor3@db:5432/orders"  # expect: fastapi-hardcoded-secret
    api_key: str = Field(default="a8f5f167f44f4964e6c998dee827110c")  # expect: fastapi-hardcoded-secret
    debug: bool = False


def s3_client():
    return boto3.client(
        "s3",
        aws_access_key_id="AKIAZ3MSJV2QWERTY123",  # expect: fastapi-hardcoded-secret
        aws_secret_access_key="wJalrXUtnFEMIK7MDENGbPxRfiCYzQ8vL2kA9sTd",  # expect: fastapi-hardcoded-secret
    )


def issue_token(sub: str, signing_key: str = "dev-signing-key-42") -> str:  # expect: fastapi-hardcoded-secret
    return jwt.encode({"sub": sub}, signing_key, algorithm="HS256")
