from fastapi import APIRouter

router = APIRouter(tags=["health"])


@router.get("/livez")
async def livez() -> dict[str, str]:
    return {"status": "alive"}


@router.get("/readyz")
async def readyz() -> dict[str, str]:
    return {"status": "ready"}
