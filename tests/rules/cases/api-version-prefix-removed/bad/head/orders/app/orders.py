from fastapi import APIRouter
from pydantic import BaseModel

router = APIRouter()


class Order(BaseModel):
    id: int


@router.get("/{order_id}")
async def get_order(order_id: int) -> Order:
    return Order(id=order_id)
