from enum import Enum
from typing import Literal

from pydantic import BaseModel


class OrderStatus(str, Enum):
    PENDING = "pending"
    PAID = "paid"
    VOID = "void"


class Region(str, Enum):
    EU = "eu"
    US = "us"


class StatusUpdate(BaseModel):
    status: OrderStatus


class OrderOut(BaseModel):
    id: int
    status: OrderStatus
    channel: Literal["web", "app", "phone"]
    source: Literal["shop", "import", "legacy"] = "shop"
