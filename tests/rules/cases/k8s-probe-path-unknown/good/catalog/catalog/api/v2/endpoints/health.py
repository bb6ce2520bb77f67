from fastapi import APIRouter

router = APIRouter(prefix="/checks", tags=["health"])


@router.get("/live")
async def live() -> dict[str, str]:
    return {"status": "alive"}


@router.get("/ready")
async def ready() -> dict[str, str]:
    return {"status": "ready"}
