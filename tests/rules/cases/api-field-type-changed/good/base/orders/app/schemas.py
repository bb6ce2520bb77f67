from decimal import Decimal
from typing import List, Optional

from pydantic import BaseModel


class LineOut(BaseModel):
    sku: str
    quantity: int


class OrderIn(BaseModel):
    item_id: int
    coupon: Optional[str] = None


class OrderOut(BaseModel):
    id: str
    customer_email: str
    created_at: str
    reference: str
    status: str
    quantity: int | None = None
    total: Decimal
    lines: List[LineOut]
    shipped_at: str | None = None
