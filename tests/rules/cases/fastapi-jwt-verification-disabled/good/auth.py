import jwt
from fastapi import Depends, HTTPException
from fastapi.security import OAuth2PasswordBearer

from .settings import settings

oauth2 = OAuth2PasswordBearer(tokenUrl="token")
ALGORITHMS = ["RS256"]


def current_user(token: str = Depends(oauth2)) -> str:
    try:
        claims = jwt.decode(token, settings.jwt_public_key, algorithms=["RS256"], audience="orders-api")
    except jwt.PyJWTError as exc:
        raise HTTPException(status_code=401, detail="invalid token") from exc
    return claims["sub"]


def key_id(token: str) -> str:
    # reading the unverified header to pick the JWKS key is the documented first step
    return jwt.get_unverified_header(token)["kid"]


def service_caller(token: str) -> str:
    return jwt.decode(token, settings.jwt_public_key, ALGORITHMS, options={"verify_exp": True})["sub"]
