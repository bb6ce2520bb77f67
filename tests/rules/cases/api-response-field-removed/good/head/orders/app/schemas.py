from pydantic import BaseModel, Field


class Money(BaseModel):
    amount_cents: int
    currency: str
    display: str | None = None


class LineOut(BaseModel):
    sku: str
    quantity: int
    price: Money


class OrderOut(BaseModel):
    id: int
    status: str
    total: float = Field(deprecated=True)
    lines: list[LineOut]
    total_cents: int | None = None


class AuditOut(BaseModel):
    """Internal: not returned by any route, so its fields may change freely."""

    id: int
