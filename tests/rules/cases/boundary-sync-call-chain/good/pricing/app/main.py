from fastapi import FastAPI

app = FastAPI()


@app.get("/prices/{product_id}")
async def price(product_id: int) -> dict:
    return {"id": product_id, "amount": 1200}
