from pydantic import BaseModel


class Money(BaseModel):
    amount_cents: int
    currency: str


class LineOut(BaseModel):
    sku: str
    quantity: int
    price: Money


class OrderOut(BaseModel):
    id: int
    status: str
    total: float
    lines: list[LineOut]


class AuditOut(BaseModel):
    id: int
    actor: str
