import os

import grpc
from fastapi import FastAPI

from protos import inventory_pb2, inventory_pb2_grpc

INVENTORY_ADDR = os.environ.get("INVENTORY_ADDR", "inventory:50051")
DEADLINE = float(os.environ.get("INVENTORY_DEADLINE_S", "2.0"))
channel = grpc.aio.insecure_channel(INVENTORY_ADDR)
inventory = inventory_pb2_grpc.InventoryStub(channel)

app = FastAPI()


@app.post("/orders")
async def create_order(sku: str, qty: int) -> dict:
    stock = await inventory.GetStock(inventory_pb2.StockRequest(sku=sku), timeout=DEADLINE)
    if stock.available < qty:
        return {"status": "backordered"}
    reply = await inventory.Reserve(inventory_pb2.ReserveRequest(sku=sku, qty=qty), timeout=DEADLINE,
                                    metadata=(("x-request-source", "orders"),))
    return {"status": "reserved" if reply.ok else "failed"}


class PricingClient:
    def __init__(self, addr: str) -> None:
        self._stub = inventory_pb2_grpc.PricingStub(grpc.insecure_channel(addr))

    def price(self, sku: str, **call_options) -> float:
        return self._stub.GetPrice(inventory_pb2.PriceRequest(sku=sku), **call_options).amount

    def price_positional(self, sku: str) -> float:
        return self._stub.GetPrice(inventory_pb2.PriceRequest(sku=sku), 2.0).amount


def build_request(sku: str):
    # a message constructor is not a stub call
    return inventory_pb2.StockRequest(sku=sku)
