from fastapi import FastAPI

from app.schemas import OrderOut

app = FastAPI()


@app.get("/orders/{order_id}", response_model=OrderOut)
async def get_order(order_id: int) -> dict:
    return {"id": order_id, "status": "paid", "total": 12.0, "total_cents": 1200, "lines": []}


@app.get("/orders", response_model=list[OrderOut])
async def list_orders() -> list[dict]:
    return []
