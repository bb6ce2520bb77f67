from fastapi import APIRouter
from pydantic import BaseModel

from app.inventory import inventory_stub
from app.protos import inventory_pb2

router = APIRouter(prefix="/stock")


class Stock(BaseModel):
    item_id: int
    available: int


@router.get("/{item_id}", response_model=Stock)
async def stock(item_id: int) -> Stock:
    reply = await inventory_stub.GetStock(inventory_pb2.StockRequest(item_id=item_id))
    return Stock(item_id=item_id, available=reply.available)
