from fastapi import FastAPI

from app.models import Order

app = FastAPI()


@app.get("/orders/{order_id}", response_model=Order)
async def get_order(order_id: int) -> Order:
    return Order(id=order_id, customer_id=1, total_cents=1200)
