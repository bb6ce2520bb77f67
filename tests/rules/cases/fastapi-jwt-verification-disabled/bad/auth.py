import jwt
from fastapi import Depends, HTTPException
from fastapi.security import OAuth2PasswordBearer
from jose import jwt as jose_jwt

from .settings import settings

oauth2 = OAuth2PasswordBearer(tokenUrl="token")


def current_user(token: str = Depends(oauth2)) -> str:
    claims = jwt.decode(token, options={"verify_signature": False})  # expect: fastapi-jwt-verification-disabled
    return claims["sub"]


def service_caller(token: str) -> str:
    return jose_jwt.decode(token, settings.jwt_key)["sub"]  # expect: fastapi-jwt-verification-disabled


def legacy_user(token: str) -> str:
    try:
        claims = jwt.decode(token, settings.jwt_key, algorithms=["HS256", "none"])  # expect: fastapi-jwt-verification-disabled
    except jwt.PyJWTError as exc:
        raise HTTPException(status_code=401) from exc
    return claims["sub"]
