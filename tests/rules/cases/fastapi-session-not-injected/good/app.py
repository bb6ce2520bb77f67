from collections.abc import Iterator

from fastapi import BackgroundTasks, Depends, FastAPI
from sqlalchemy import create_engine
from sqlalchemy.orm import Session, sessionmaker

from .models import Order

engine = create_engine("postgresql+psycopg://orders@db/orders")
SessionLocal = sessionmaker(bind=engine, autoflush=False)
app = FastAPI()


def get_db() -> Iterator[Session]:
    db = SessionLocal()
    try:
        yield db
    finally:
        db.close()


def archive_order(order_id: int) -> None:
    # background work outlives the request, so it opens its own session
    with SessionLocal() as db:
        db.get(Order, order_id).archived = True
        db.commit()


@app.get("/orders/{order_id}")
def get_order(order_id: int, db: Session = Depends(get_db)):
    return db.get(Order, order_id)


@app.delete("/orders/{order_id}")
def delete_order(order_id: int, tasks: BackgroundTasks, db: Session = Depends(get_db)):
    tasks.add_task(archive_order, order_id)
    db.commit()
    return None
