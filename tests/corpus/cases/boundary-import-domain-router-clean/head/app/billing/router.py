from fastapi import APIRouter

from app.orders.models import Order

router = APIRouter(prefix="/billing", tags=["billing"])


@router.get("/{item_id}")
async def get_item(item_id: int) -> dict:
    return {"id": item_id}
