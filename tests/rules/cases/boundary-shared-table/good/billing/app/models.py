from sqlalchemy import JSON, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class CustomerProjection(Base):
    """billing's own read model of customers, fed by orders' CustomerRegistered events."""

    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    billing_email: Mapped[str] = mapped_column(String(320))


class OutboxMessage(Base):
    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    payload: Mapped[dict] = mapped_column(JSON)
