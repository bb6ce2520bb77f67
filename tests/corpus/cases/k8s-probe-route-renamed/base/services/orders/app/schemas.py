from pydantic import BaseModel, Field


class OrderIn(BaseModel):
    item_id: int
    quantity: int = Field(gt=0)


class OrderOut(BaseModel):
    id: int
    item_id: int
    quantity: int
    status: str
