from fastapi import FastAPI

app = FastAPI()


@app.get("/items/{item_id}")
async def get_item(item_id: int) -> dict:
    return {"id": item_id, "stock": 3}
