from pydantic import BaseModel, Field


class CustomerIn(BaseModel):
    email: str
    name: str = Field(...)
    quantity: int = 1
    country: str = "DE"
    note: str = Field("", max_length=500)
    plan: str = "free"


class CustomerOut(BaseModel):
    id: int
    email: str
