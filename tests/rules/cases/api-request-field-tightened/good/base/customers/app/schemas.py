from typing import Annotated

from pydantic import BaseModel, EmailStr, Field


class CustomerIn(BaseModel):
    email: EmailStr
    name: str = Field(..., min_length=2)
    quantity: Annotated[int, Field(gt=0)] = 1
    note: str = Field("", max_length=200)
    age: int | None = None
    tags: list[str] = []


class CustomerOut(BaseModel):
    id: int
    email: str
    nickname: str | None = None
