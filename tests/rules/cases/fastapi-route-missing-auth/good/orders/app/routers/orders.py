from fastapi import APIRouter, Depends, HTTPException

from app.auth import get_current_user
from app.db import SessionDep
from app.models import Order, OrderIn, User

router = APIRouter(prefix="/orders", tags=["orders"])


async def get_owned_order(order_id: int, session: SessionDep, user: User = Depends(get_current_user)) -> Order:
    order = await Order.get(session, order_id)
    if order is None or order.customer_id != user.id:
        raise HTTPException(status_code=404)
    return order


@router.get("/")
async def list_orders(session: SessionDep, user: User = Depends(get_current_user)) -> list[Order]:
    return await Order.for_customer(session, user.id)


@router.post("/", status_code=201)
async def create_order(body: OrderIn, session: SessionDep, user: User = Depends(get_current_user)) -> Order:
    return await Order.create(session, user.id, body)


@router.get("/{order_id}")
async def get_order(order_id: int, session: SessionDep, user: User = Depends(get_current_user)) -> Order:
    return await Order.get_for(session, user.id, order_id)


@router.delete("/{order_id}", status_code=204)
async def cancel_order(order_id: int, session: SessionDep, user: User = Depends(get_current_user)) -> None:
    await Order.cancel(session, user.id, order_id)


@router.get("/{order_id}/invoice")
async def get_invoice(order: Order = Depends(get_owned_order)) -> bytes:
    return order.invoice_pdf


@router.get("/health")
async def orders_health() -> dict[str, str]:
    return {"status": "ok"}
