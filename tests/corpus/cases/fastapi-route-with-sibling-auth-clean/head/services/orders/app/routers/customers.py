from fastapi import APIRouter, Depends, HTTPException
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import CurrentUser
from app.db import get_session
from app.models import Order
from app.schemas import OrderOut

router = APIRouter(prefix="/customers/me", tags=["customers"])


def _out(row: Order) -> OrderOut:
    return OrderOut(id=row.id, item_id=row.item_id, quantity=row.quantity, status=row.status)


@router.get("/orders", response_model=list[OrderOut])
async def my_orders(user: CurrentUser, session: AsyncSession = Depends(get_session)) -> list[OrderOut]:
    rows = await session.scalars(select(Order).where(Order.customer_id == user["sub"]))
    return [_out(r) for r in rows]


@router.get("/orders/{order_id}", response_model=OrderOut)
async def my_order(order_id: int, user: CurrentUser, session: AsyncSession = Depends(get_session)) -> OrderOut:
    row = await session.get(Order, order_id)
    if row is None or row.customer_id != user["sub"]:
        raise HTTPException(status_code=404, detail="no such order")
    return _out(row)


@router.post("/orders/{order_id}/cancel", response_model=OrderOut)
async def cancel_my_order(order_id: int, user: CurrentUser,
                          session: AsyncSession = Depends(get_session)) -> OrderOut:
    row = await session.get(Order, order_id)
    if row is None or row.customer_id != user["sub"]:
        raise HTTPException(status_code=404, detail="no such order")
    row.status = "cancelled"
    await session.commit()
    return _out(row)


@router.get("/orders/{order_id}/receipt", response_model=OrderOut)
async def my_order_receipt(order_id: int, user: CurrentUser, session: AsyncSession = Depends(get_session)) -> OrderOut:
    row = await session.get(Order, order_id)
    if row is None or row.customer_id != user["sub"]:
        raise HTTPException(status_code=404, detail="no such order")
    return _out(row)
