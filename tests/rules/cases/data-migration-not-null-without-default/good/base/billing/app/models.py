from decimal import Decimal

from sqlmodel import Field, SQLModel


class Invoice(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(index=True)
    amount: Decimal = Field(max_digits=12, decimal_places=2)
