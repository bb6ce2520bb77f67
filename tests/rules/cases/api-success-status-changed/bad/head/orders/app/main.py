from fastapi import FastAPI, status

app = FastAPI()


@app.post("/orders", status_code=status.HTTP_202_ACCEPTED)  # expect: api-success-status-changed
async def create_order() -> dict:
    return {"id": 1}


@app.delete("/orders/{order_id}")  # expect: api-success-status-changed
async def delete_order(order_id: int) -> None:
    return None


@app.get("/orders/{order_id}")
async def get_order(order_id: int) -> dict:
    return {"id": order_id}
