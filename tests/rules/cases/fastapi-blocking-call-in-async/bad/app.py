import asyncio
import subprocess
import time
import urllib.request
from typing import Annotated

import boto3
import httpx
import psycopg2
import requests
from fastapi import Depends, FastAPI
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session, sessionmaker

from .models import Order

engine = create_engine("postgresql+psycopg2://orders@db/orders")
SessionLocal = sessionmaker(bind=engine)
s3 = boto3.client("s3")
sync_client = httpx.Client(timeout=5.0)
app = FastAPI()


def get_db():
    db = SessionLocal()
    try:
        yield db
    finally:
        db.close()


DbSession = Annotated[Session, Depends(get_db)]


async def current_user(token: str):
    resp = requests.get("http://auth:8000/introspect", params={"token": token}, timeout=2)  # expect: fastapi-blocking-call-in-async
    return resp.json()


@app.get("/orders/{order_id}")
async def get_order(order_id: int, db: DbSession, user=Depends(current_user)):
    time.sleep(0.2)  # expect: fastapi-blocking-call-in-async
    order = db.query(Order).filter(Order.id == order_id).first()  # expect: fastapi-blocking-call-in-async
    stock = httpx.get(f"http://inventory:8000/items/{order_id}")  # expect: fastapi-blocking-call-in-async
    price = sync_client.get(f"http://pricing:8000/prices/{order_id}")  # expect: fastapi-blocking-call-in-async
    return {"order": order, "stock": stock.json(), "price": price.json()}


@app.post("/orders/{order_id}/invoice")
async def invoice(order_id: int, db: Session = Depends(get_db)):
    rows = db.execute(select(Order).where(Order.id == order_id)).all()  # expect: fastapi-blocking-call-in-async
    s3.put_object(Bucket="invoices", Key=f"{order_id}.pdf", Body=b"...")  # expect: fastapi-blocking-call-in-async
    subprocess.run(["wkhtmltopdf", "in.html", "out.pdf"], check=True)  # expect: fastapi-blocking-call-in-async
    with requests.Session() as http:
        http.post("http://mailer:8000/send", json={"order": order_id}, timeout=3)  # expect: fastapi-blocking-call-in-async
    page = urllib.request.urlopen("http://catalog:8000/terms", timeout=3)  # expect: fastapi-blocking-call-in-async
    return {"rows": len(rows), "terms": page.read()}


@app.get("/legacy-report")
async def legacy_report():
    conn = psycopg2.connect("dbname=reports")  # expect: fastapi-blocking-call-in-async
    return {"ok": conn is not None}


@app.get("/rates")
async def rates():
    # the call runs on the event loop before to_thread ever sees it
    resp = await asyncio.to_thread(requests.get("https://rates.example.com/latest", timeout=3))  # expect: fastapi-blocking-call-in-async
    return resp.json()
