from pydantic import BaseModel, EmailStr, Field


class CustomerIn(BaseModel):
    # every change accepts at least what it accepted before
    email: str
    name: str = Field(..., min_length=1)
    quantity: int = 1
    note: str = Field("", max_length=500, description="free text")
    age: float | None = None
    tags: list[str] | None = []


class CustomerOut(BaseModel):
    # a response may narrow: clients still receive a JSON string
    id: int
    email: EmailStr
    nickname: str = Field("", min_length=0)
