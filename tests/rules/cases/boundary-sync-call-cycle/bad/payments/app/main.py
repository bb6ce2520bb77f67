import os

import httpx
from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI()
BILLING_URL = os.getenv("BILLING_URL", "http://billing-api")


class ChargeIn(BaseModel):
    invoice_id: int


@app.post("/charges")
async def charge(body: ChargeIn) -> dict:
    async with httpx.AsyncClient(timeout=3.0) as http:
        invoice = (await http.get(f"{BILLING_URL}/invoices/{body.invoice_id}")).json()
    return {"id": body.invoice_id, "amount": invoice["amount"]}
