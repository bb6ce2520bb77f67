import os

import grpc
from fastapi import FastAPI

from protos import inventory_pb2, inventory_pb2_grpc

INVENTORY_ADDR = os.environ.get("INVENTORY_ADDR", "inventory:50051")
channel = grpc.aio.insecure_channel(INVENTORY_ADDR)
inventory = inventory_pb2_grpc.InventoryStub(channel)

app = FastAPI()


async def reserve(sku: str, qty: int) -> bool:
    reply = await inventory.Reserve(inventory_pb2.ReserveRequest(sku=sku, qty=qty))  # expect: grpc-call-without-deadline
    return reply.ok


@app.post("/orders")
async def create_order(sku: str, qty: int) -> dict:
    stock = await inventory.GetStock(inventory_pb2.StockRequest(sku=sku))  # expect: grpc-call-without-deadline
    if stock.available < qty:
        return {"status": "backordered"}
    return {"status": "reserved" if await reserve(sku, qty) else "failed"}


class PricingClient:
    def __init__(self, addr: str) -> None:
        self._channel = grpc.insecure_channel(addr)
        self._stub = inventory_pb2_grpc.PricingStub(self._channel)

    def price(self, sku: str) -> float:
        return self._stub.GetPrice(inventory_pb2.PriceRequest(sku=sku)).amount  # expect: grpc-call-without-deadline

    def price_async(self, sku: str):
        return self._stub.GetPrice.future(inventory_pb2.PriceRequest(sku=sku))  # expect: grpc-call-without-deadline


def stream_levels(stub: inventory_pb2_grpc.InventoryStub):
    for level in stub.WatchLevels(inventory_pb2.WatchRequest()):  # expect: grpc-call-without-deadline
        print(level)
