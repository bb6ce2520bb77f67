import os

import httpx
from fastapi import FastAPI
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

INVENTORY_URL = os.environ["INVENTORY_URL"]
app = FastAPI()
FastAPIInstrumentor.instrument_app(app)


@app.get("/orders/{order_id}/stock")
async def stock(order_id: int) -> dict[str, int]:
    async with httpx.AsyncClient(timeout=5.0) as client:
        resp = await client.get(f"{INVENTORY_URL}/items/{order_id}")  # expect: otel-context-lost
    return {"stock": resp.json()["stock"]}
