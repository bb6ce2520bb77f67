from typing import Annotated

from fastapi import Depends, HTTPException, Security, status
from fastapi.security import APIKeyHeader, OAuth2PasswordBearer

from app.models import User

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/auth/token")
api_key_header = APIKeyHeader(name="X-Api-Key")


async def get_current_user(token: Annotated[str, Depends(oauth2_scheme)]) -> User:
    user = await User.from_token(token)
    if user is None:
        raise HTTPException(status_code=status.HTTP_401_UNAUTHORIZED, detail="invalid token")
    return user


async def verify_api_key(key: str = Security(api_key_header)) -> None:
    if key not in {"partner-key"}:
        raise HTTPException(status_code=status.HTTP_403_FORBIDDEN)


CurrentUser = Annotated[User, Depends(get_current_user)]
