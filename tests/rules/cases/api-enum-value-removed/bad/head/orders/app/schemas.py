from enum import Enum
from typing import Literal

from pydantic import BaseModel


class OrderStatus(str, Enum):  # expect: api-enum-value-removed
    PENDING = "pending"
    PAID = "paid"


class Region(str, Enum):
    EU = "eu"


class StatusUpdate(BaseModel):
    status: OrderStatus
    channel: Literal["web", "app"] = "web"  # expect: api-enum-value-removed


class OrderOut(BaseModel):
    id: int
    status: OrderStatus
    channel: Literal["web", "app"]
