import logging

from fastapi import FastAPI
from pydantic import BaseModel

from app.service import create

logging.basicConfig(level=logging.INFO)
app = FastAPI()


class Order(BaseModel):
    id: int


@app.post("/orders")
async def post_order(order: Order) -> Order:
    return await create(order)
