import asyncio

from fastapi import BackgroundTasks, FastAPI

from .mail import send_confirmation
from .schemas import OrderIn

app = FastAPI()
_background: set[asyncio.Task] = set()


@app.post("/orders", status_code=202)
async def create_order(order: OrderIn, tasks: BackgroundTasks):
    tasks.add_task(send_confirmation, order.email)
    return {"status": "accepted"}


@app.post("/orders/{order_id}/resend")
async def resend(order_id: int):
    task = asyncio.create_task(send_confirmation(str(order_id)))
    _background.add(task)
    task.add_done_callback(_background.discard)
    return {"status": "queued"}


@app.post("/orders/{order_id}/fanout")
async def fanout(order_id: int):
    async with asyncio.TaskGroup() as tg:
        tg.create_task(send_confirmation(f"{order_id}-a"))
        tg.create_task(send_confirmation(f"{order_id}-b"))
    await asyncio.create_task(send_confirmation("done"))
    return {"status": "sent"}
