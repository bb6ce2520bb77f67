async def create(order):
    print(f"created order {order.id}")  # expect: logging-print-in-service
    return order
