from typing import Annotated, Literal

from pydantic import BaseModel, EmailStr, Field, StringConstraints


class CustomerIn(BaseModel):
    email: EmailStr  # expect: api-request-field-tightened
    name: str = Field(..., min_length=2)  # expect: api-request-field-tightened
    quantity: Annotated[int, Field(gt=0)] = 1  # expect: api-request-field-tightened
    country: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")] = "DE"  # expect: api-request-field-tightened
    note: str = Field("", max_length=200)  # expect: api-request-field-tightened
    plan: Literal["free", "pro"] = "free"  # expect: api-request-field-tightened


class CustomerOut(BaseModel):
    id: int
    email: EmailStr
