from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Optional, Union
from uuid import UUID

from pydantic import BaseModel, EmailStr, Field, PositiveInt


class LineItem(BaseModel):
    """Renamed from LineOut; same shape."""

    sku: str
    quantity: int


class OrderIn(BaseModel):
    item_id: Annotated[int, Field(gt=0)]
    coupon: Union[str, None] = None


class OrderStatus(StrEnum):
    PENDING = "pending"
    PAID = "paid"


class OrderOut(BaseModel):
    id: str
    # narrower types that still send a JSON string (or the same number): the same to clients
    customer_email: EmailStr
    created_at: datetime
    reference: UUID
    status: OrderStatus
    quantity: PositiveInt
    total: Decimal
    lines: list[LineItem]
    shipped_at: Optional[str] = None
