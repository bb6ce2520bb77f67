from typing import Optional

from pydantic import BaseModel, Field


class Address(BaseModel):
    street: str
    city: str


class OrderIn(BaseModel):
    item_id: int
    quantity: int = 1
    note: Optional[str] = None
    address: Address


class OrderOut(BaseModel):
    id: int
    item_id: int


class Pagination(BaseModel):
    limit: int = Field(50, le=200)
