from fastapi import FastAPI
from sqlalchemy import create_engine
from sqlalchemy.orm import Session, sessionmaker

from .db import AsyncSessionLocal
from .models import Order

engine = create_engine("postgresql+psycopg://orders@db/orders")
SessionLocal = sessionmaker(bind=engine, autoflush=False)
app = FastAPI()


@app.get("/orders/{order_id}")
def get_order(order_id: int):
    db = SessionLocal()  # expect: fastapi-session-not-injected
    try:
        return db.get(Order, order_id)
    finally:
        db.close()


@app.delete("/orders/{order_id}")
def delete_order(order_id: int):
    with Session(engine) as db:  # expect: fastapi-session-not-injected
        db.delete(db.get(Order, order_id))
        db.commit()


@app.get("/orders")
async def list_orders():
    async with AsyncSessionLocal() as db:  # expect: fastapi-session-not-injected
        return (await db.scalars(Order.__table__.select())).all()
