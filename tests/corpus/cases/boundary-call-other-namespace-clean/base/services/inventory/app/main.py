from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI(title="inventory")


class ReservationIn(BaseModel):
    item_id: int
    quantity: int


class ReservationOut(BaseModel):
    id: int
    item_id: int


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@app.post("/reservations", response_model=ReservationOut, status_code=201)
async def reserve(body: ReservationIn) -> ReservationOut:
    return ReservationOut(id=body.item_id, item_id=body.item_id)
