import os

import grpc

from app.protos import inventory_pb2, inventory_pb2_grpc

INVENTORY_GRPC = os.environ.get("INVENTORY_GRPC", "inventory:50051")
_channel = grpc.aio.insecure_channel(INVENTORY_GRPC)
_stub = inventory_pb2_grpc.InventoryStub(_channel)


async def available(item_id: int) -> int:
    reply = await _stub.GetStock(inventory_pb2.StockRequest(item_id=item_id))
    return reply.available
