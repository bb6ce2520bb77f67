import os

import grpc

from app.protos import inventory_pb2_grpc

channel = grpc.aio.insecure_channel(os.environ.get("INVENTORY_GRPC", "inventory:50051"))
inventory_stub = inventory_pb2_grpc.InventoryStub(channel)
