from fastapi import FastAPI

from services.orders.models import Order

app = FastAPI(title="billing")


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}
