from fastapi import FastAPI

from app.routers import orders, partners, profile

app = FastAPI(title="orders")
app.include_router(orders.router)
app.include_router(partners.router)
app.include_router(profile.router)


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}
