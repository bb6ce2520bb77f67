from fastapi import FastAPI

from app.schemas import OrderOut, StatusUpdate

app = FastAPI()


@app.patch("/orders/{order_id}/status", response_model=OrderOut)
async def update_status(order_id: int, body: StatusUpdate) -> OrderOut:
    return OrderOut(id=order_id, status=body.status, channel="web")
