from fastapi import APIRouter

from app.clients import inventory_stub
from app.models import Reservation
from app.protos import inventory_pb2

router = APIRouter(prefix="/stock")


@router.get("/{sku}")
async def stock(sku: str) -> dict:
    reply = await inventory_stub.GetStock(inventory_pb2.StockRequest(sku=sku), timeout=2.0)
    hold = Reservation.Create(sku=sku)  # a model's factory, not a stub call
    return {"sku": sku, "available": reply.available, "hold": hold.id}
