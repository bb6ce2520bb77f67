from decimal import Decimal
from typing import List, Optional

from pydantic import BaseModel


class LineOut(BaseModel):
    sku: str
    quantity: float  # expect: api-field-type-changed


class OrderIn(BaseModel):
    item_id: str  # expect: api-field-type-changed
    coupon: Optional[str] = None


class OrderOut(BaseModel):
    id: int  # expect: api-field-type-changed
    total: Decimal | None  # expect: api-field-type-changed
    lines: List[LineOut]
    shipped_at: float | None = None  # expect: api-field-type-changed
