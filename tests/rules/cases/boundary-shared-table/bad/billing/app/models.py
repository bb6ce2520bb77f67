from sqlalchemy import Column, Integer, String, Table
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


customers = Table(  # expect: boundary-shared-table
    "customers",
    Base.metadata,
    Column("id", Integer, primary_key=True),
    Column("email", String(320)),
)


class Invoice(Base):
    __tablename__ = "invoices"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column()
