from fastapi import APIRouter, Depends

from app.auth import get_current_user
from app.db import SessionDep
from app.models import Order, User

# included with dependencies=[Depends(require_admin)] in main.py
router = APIRouter(prefix="/admin")


@router.get("/orders")
async def all_orders(session: SessionDep, user: User = Depends(get_current_user)) -> list[Order]:
    return await Order.all(session)


@router.post("/orders/{order_id}/refund")
async def refund(order_id: int, session: SessionDep, user: User = Depends(get_current_user)) -> None:
    await Order.refund(session, order_id, by=user.id)


@router.post("/orders/{order_id}/close")
async def close(order_id: int, session: SessionDep, user: User = Depends(get_current_user)) -> None:
    await Order.close(session, order_id, by=user.id)


@router.get("/stats")
async def stats(session: SessionDep) -> dict[str, int]:
    return await Order.stats(session)
