from fastapi import APIRouter

router = APIRouter()


@router.get("/legacy/orders")
async def legacy_orders() -> list[dict]:
    return []
