from fastapi import Depends, FastAPI

from app.auth import get_current_user
from app.routers import admin, auth, catalog, orders, partners

app = FastAPI(title="orders")
app.include_router(orders.router)
app.include_router(partners.router)
app.include_router(catalog.router)
app.include_router(auth.router)
app.include_router(admin.router, dependencies=[Depends(get_current_user)])


@app.get("/healthz", response_model=dict[str, str])
async def healthz() -> dict[str, str]:
    return {"status": "ok"}
