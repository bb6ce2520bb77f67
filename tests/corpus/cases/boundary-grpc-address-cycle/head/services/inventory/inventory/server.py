import os

import grpc

from inventory.rpc import serve

TARGETS = {k: v for k, v in os.environ.items() if k.endswith("_ADDR")}

if __name__ == "__main__":
    serve(port=50051, targets=TARGETS)
