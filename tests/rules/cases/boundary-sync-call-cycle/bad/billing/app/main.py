import os

import httpx
from fastapi import FastAPI

app = FastAPI()
payments = httpx.AsyncClient(base_url=os.environ["PAYMENTS_URL"], timeout=3.0)


@app.post("/invoices/{invoice_id}/pay")
async def pay_invoice(invoice_id: int) -> dict:
    charge = await payments.post("/charges", json={"invoice_id": invoice_id})  # expect: boundary-sync-call-cycle
    charge.raise_for_status()
    return {"invoice": invoice_id, "charge": charge.json()["id"]}


@app.get("/invoices/{invoice_id}")
async def get_invoice(invoice_id: int) -> dict:
    return {"id": invoice_id, "amount": 1200}
