"""Manual smoke test: python smoke_client.py 8080"""
import sys

import grpc

from protos import inventory_pb2, inventory_pb2_grpc

if __name__ == "__main__":
    port = sys.argv[1] if len(sys.argv) > 1 else "8080"
    stub = inventory_pb2_grpc.InventoryStub(grpc.insecure_channel(f"localhost:{port}"))
    print(stub.GetStock(inventory_pb2.StockRequest(sku="test")))
