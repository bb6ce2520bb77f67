import os

from fastapi import APIRouter
from sqlmodel import Session, create_engine, select

from app.models import Order

router = APIRouter(prefix="/admin")


@router.get("/orders/count", response_model=int)
def count_orders() -> int:
    engine = create_engine(os.environ["SYNC_DATABASE_URL"])
    with Session(engine) as session:
        return len(session.exec(select(Order)).all())
