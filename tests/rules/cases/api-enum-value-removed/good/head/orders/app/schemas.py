from enum import Enum
from typing import Literal

from pydantic import BaseModel


class OrderStatus(str, Enum):
    PENDING = "pending"
    PAID = "paid"
    VOID = "void"
    REFUNDED = "refunded"


class Region(str, Enum):
    """Not used by any API model: members may go."""

    EU = "eu"


class StatusUpdate(BaseModel):
    status: OrderStatus


class OrderOut(BaseModel):
    id: int
    status: OrderStatus
    channel: Literal["web", "app", "phone", "kiosk"]
    # only ever sent to clients: a value they no longer receive breaks none of them
    source: Literal["shop", "import"] = "shop"
