from fastapi import APIRouter, FastAPI

app = FastAPI()
router = APIRouter(prefix="/orders")


@router.get("/{order_id}")
async def get_order(order_id: int) -> dict:
    return {"id": order_id}


@router.post("/{order_id}/cancel")  # expect: api-route-removed
async def cancel_order(order_id: int) -> None:
    return None


app.include_router(router)
