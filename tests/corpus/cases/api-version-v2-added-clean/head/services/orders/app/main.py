from fastapi import FastAPI

from app import orders

app = FastAPI()
app.include_router(orders.router, prefix="/v1/orders")
app.include_router(orders.router, prefix="/v2/orders")
