import jwt

AUDIENCE = "mcp"


def is_mcp_token(token: str) -> bool:
    claims = jwt.decode(token, options={"verify_signature": False})  # expect: fastapi-jwt-verification-disabled
    return claims


def verify(token: str, key: str) -> dict:
    return jwt.decode(token, key, algorithms=["HS256"], audience=AUDIENCE)
