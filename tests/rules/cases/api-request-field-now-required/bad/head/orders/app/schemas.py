from typing import Optional

from pydantic import BaseModel, Field


class Address(BaseModel):
    street: str
    city: str
    postcode: str  # expect: api-request-field-now-required


class OrderIn(BaseModel):
    item_id: int
    quantity: int = Field(..., gt=0)  # expect: api-request-field-now-required
    note: str  # expect: api-request-field-now-required
    address: Address
    channel: str  # expect: api-request-field-now-required


class OrderOut(BaseModel):
    id: int
    item_id: int
    created_by: str


class Pagination(BaseModel):
    limit: int = Field(50, le=200)
