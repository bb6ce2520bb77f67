import asyncio

from fastapi import FastAPI

from .mail import send_confirmation
from .schemas import OrderIn

app = FastAPI()


@app.post("/orders", status_code=202)
async def create_order(order: OrderIn):
    asyncio.create_task(send_confirmation(order.email))  # expect: fastapi-dangling-task
    asyncio.get_running_loop().create_task(send_confirmation("ops@example.com"))  # expect: fastapi-dangling-task
    return {"status": "accepted"}


@app.post("/orders/{order_id}/resend")
async def resend(order_id: int):
    loop = asyncio.get_event_loop()
    loop.create_task(send_confirmation(str(order_id)))  # expect: fastapi-dangling-task
    asyncio.ensure_future(send_confirmation("audit@example.com"))  # expect: fastapi-dangling-task
    return {"status": "queued"}
