from fastapi import APIRouter

router = APIRouter(prefix="/orders")


@router.delete("/{order_id}")
async def cancel_order(order_id: int) -> None:
    return None
