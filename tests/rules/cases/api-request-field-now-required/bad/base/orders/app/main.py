from fastapi import Depends, FastAPI, status

from app.schemas import OrderIn, OrderOut, Pagination

app = FastAPI()


@app.post("/orders", response_model=OrderOut, status_code=status.HTTP_201_CREATED)
async def create_order(body: OrderIn) -> OrderOut:
    return OrderOut(id=1, item_id=body.item_id)


@app.get("/orders", response_model=list[OrderOut])
async def list_orders(page: Pagination = Depends()) -> list[OrderOut]:
    return []
