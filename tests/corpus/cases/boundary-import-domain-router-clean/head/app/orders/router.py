from fastapi import APIRouter

router = APIRouter(prefix="/orders", tags=["orders"])


@router.get("/{item_id}")
async def get_item(item_id: int) -> dict:
    return {"id": item_id}
