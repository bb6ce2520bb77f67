import os

import httpx
from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI()
# invoices of the old platform, still served by billing in the legacy namespace
BILLING_URL = os.getenv("BILLING_URL", "http://billing-api.legacy")
# the card processor's own billing API, not our billing service
PROCESSOR_BILLING = "https://billing.cardprocessor.com/v2"


class ChargeIn(BaseModel):
    invoice_id: int


@app.post("/charges")
async def charge(body: ChargeIn) -> dict:
    async with httpx.AsyncClient(timeout=3.0) as http:
        invoice = (await http.get(f"{BILLING_URL}/invoices/{body.invoice_id}")).json()
        fee = (await http.get(f"{PROCESSOR_BILLING}/fees", params={"amount": invoice["amount"]})).json()
    return {"id": body.invoice_id, "amount": invoice["amount"], "fee": fee["amount"]}
