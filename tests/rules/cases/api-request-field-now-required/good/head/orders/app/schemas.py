from typing import Optional

from pydantic import BaseModel, Field


class Address(BaseModel):
    street: str
    city: str
    postcode: str | None = None


class OrderIn(BaseModel):
    item_id: int
    quantity: int = Field(default=1, gt=0)
    note: str | None = None
    address: Address
    channel: str = Field("web", max_length=20)
    tags: list[str] = Field(default_factory=list)


class OrderOut(BaseModel):
    id: int
    item_id: int
    created_by: str


class Pagination(BaseModel):
    limit: int = Field(50, le=200)
