from pydantic import BaseModel


class Money(BaseModel):  # expect: api-response-field-removed
    amount_cents: int


class LineOut(BaseModel):
    sku: str
    quantity: int
    price: Money


class OrderOut(BaseModel):  # expect: api-response-field-removed
    id: int
    status: str
    lines: list[LineOut]
    total_cents: int


class AuditOut(BaseModel):
    id: int
