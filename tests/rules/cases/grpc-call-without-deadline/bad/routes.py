from fastapi import APIRouter

from app.clients import inventory_stub
from app.protos import inventory_pb2

router = APIRouter(prefix="/stock")


@router.get("/{sku}")
async def stock(sku: str) -> dict:
    reply = await inventory_stub.GetStock(inventory_pb2.StockRequest(sku=sku))  # expect: grpc-call-without-deadline
    return {"sku": sku, "available": reply.available}
