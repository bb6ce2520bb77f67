from decimal import Decimal
from typing import Annotated, Optional, Union

from pydantic import BaseModel, Field


class LineItem(BaseModel):
    """Renamed from LineOut; same shape."""

    sku: str
    quantity: int


class OrderIn(BaseModel):
    item_id: Annotated[int, Field(gt=0)]
    coupon: Union[str, None] = None


class OrderOut(BaseModel):
    id: str
    total: Decimal
    lines: list[LineItem]
    shipped_at: Optional[str] = None
