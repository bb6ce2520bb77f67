from fastapi import FastAPI

from app.schemas import CustomerIn, CustomerOut

app = FastAPI()


@app.post("/customers", status_code=201)
async def create_customer(body: CustomerIn) -> CustomerOut:
    return CustomerOut(id=1, email=body.email)
