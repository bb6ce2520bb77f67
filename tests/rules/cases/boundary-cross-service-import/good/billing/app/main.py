from fastapi import FastAPI

from app.models import Invoice
from libs.contracts.orders import OrderSummary

app = FastAPI()


@app.post("/invoices", response_model=Invoice, status_code=201)
async def create_invoice(order: OrderSummary) -> Invoice:
    return Invoice(id=1, order_id=order.id, amount_cents=order.total_cents)
