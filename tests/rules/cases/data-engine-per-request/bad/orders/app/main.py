import os

from fastapi import Depends, FastAPI
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session, sessionmaker

app = FastAPI()
DATABASE_URL = os.environ["DATABASE_URL"]


def get_db():
    engine = create_engine(DATABASE_URL)  # expect: data-engine-per-request
    db = sessionmaker(bind=engine)()  # expect: data-engine-per-request
    try:
        yield db
    finally:
        db.close()


@app.get("/orders/count")
def count_orders(db: Session = Depends(get_db)) -> dict[str, int]:
    return {"count": db.execute(text("select count(*) from orders")).scalar_one()}


@app.get("/reports/daily")
def daily_report() -> list[dict]:
    engine = create_engine(os.environ["REPORTS_URL"], pool_size=5)  # expect: data-engine-per-request
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(text("select * from daily"))]
