from sqlalchemy import select

from app.db import SessionLocal
from app.models import Order


async def unit_price(item_id: int) -> float:
    async with SessionLocal() as session:
        row = await session.scalar(select(Order).where(Order.item_id == item_id).limit(1))
        return float(row.quantity) if row is not None else 0.0
