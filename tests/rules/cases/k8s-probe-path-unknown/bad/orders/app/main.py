from fastapi import FastAPI

from app.routers import health, orders

app = FastAPI()
app.include_router(health.router, prefix="/health")
app.include_router(orders.router, prefix="/v1")
