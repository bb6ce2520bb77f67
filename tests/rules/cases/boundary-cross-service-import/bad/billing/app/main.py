from fastapi import FastAPI

from app.models import Invoice
from orders.app.models import Order  # expect: boundary-cross-service-import

app = FastAPI()


@app.post("/invoices", response_model=Invoice, status_code=201)
async def create_invoice(order: Order) -> Invoice:
    return Invoice(id=1, order_id=order.id, amount_cents=order.total_cents)
