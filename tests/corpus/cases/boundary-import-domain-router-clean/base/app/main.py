from fastapi import FastAPI

from app.billing.router import router as billing
from app.orders.router import router as orders

app = FastAPI(title="shop")
app.include_router(orders)
app.include_router(billing)
