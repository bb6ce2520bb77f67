from fastapi import FastAPI

app = FastAPI(title="ledger")


@app.post("/entries")
async def add_entry(invoice_id: int) -> dict:
    return {"id": invoice_id}
