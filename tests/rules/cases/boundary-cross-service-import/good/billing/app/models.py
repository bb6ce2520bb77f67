from pydantic import BaseModel


class Invoice(BaseModel):
    id: int
    order_id: int
    amount_cents: int
