from fastapi import FastAPI, status

app = FastAPI()


@app.post("/orders", status_code=201, summary="Create an order")
async def create_order() -> dict:
    return {"id": 1}


@app.delete("/orders/{order_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_order(order_id: int) -> None:
    return None


@app.get("/orders/{order_id}", status_code=200)
async def get_order(order_id: int) -> dict:
    return {"id": order_id}
