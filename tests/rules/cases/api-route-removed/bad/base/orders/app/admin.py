from fastapi import APIRouter

router = APIRouter(prefix="/admin")


@router.post("/reindex")
async def reindex() -> dict:
    return {"queued": True}
