from fastapi import APIRouter, Depends

from app.auth import verify_api_key
from app.db import SessionDep
from app.models import Order, StockUpdate

# the dependency sits on the router: every route has it
router = APIRouter(prefix="/partners", tags=["partners"], dependencies=[Depends(verify_api_key)])


@router.post("/stock", dependencies=[Depends(verify_api_key)])
async def push_stock(update: StockUpdate, session: SessionDep) -> None:
    await update.apply(session)


@router.get("/orders", dependencies=[Depends(verify_api_key)])
async def partner_orders(session: SessionDep) -> list[Order]:
    return await Order.open_orders(session)


@router.post("/orders/{order_id}/shipped", dependencies=[Depends(verify_api_key)])
async def mark_shipped(order_id: int, session: SessionDep) -> None:
    await Order.ship(session, order_id)


@router.post("/orders/{order_id}/returned")
async def mark_returned(order_id: int, session: SessionDep) -> None:
    await Order.mark_returned(session, order_id)
