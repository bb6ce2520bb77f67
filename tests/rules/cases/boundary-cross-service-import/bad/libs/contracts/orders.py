from pydantic import BaseModel


class OrderSummary(BaseModel):
    id: int
    total_cents: int
