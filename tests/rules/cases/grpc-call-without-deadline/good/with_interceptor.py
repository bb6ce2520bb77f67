import grpc

from protos import inventory_pb2, inventory_pb2_grpc


class DeadlineInterceptor(grpc.UnaryUnaryClientInterceptor):
    """Gives every call a 2 s deadline unless the caller set one."""

    def intercept_unary_unary(self, continuation, client_call_details, request):
        if client_call_details.timeout is None:
            client_call_details = client_call_details._replace(timeout=2.0)
        return continuation(client_call_details, request)


channel = grpc.intercept_channel(grpc.insecure_channel("inventory:50051"), DeadlineInterceptor())
stub = inventory_pb2_grpc.InventoryStub(channel)


def stock(sku: str) -> int:
    return stub.GetStock(inventory_pb2.StockRequest(sku=sku)).available
