from fastapi import FastAPI

from app import orders

app = FastAPI()
app.include_router(orders.router, prefix="/orders")  # expect: api-version-prefix-removed
