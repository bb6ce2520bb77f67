from fastapi import APIRouter, FastAPI

app = FastAPI()
router = APIRouter(prefix="/orders")


@router.get("/{order_id}")
async def get_order(order_id: int) -> dict:
    return {"id": order_id}


@router.get("/{order_id}/summary", deprecated=True)
async def order_summary(order_id: int) -> dict:
    return {"id": order_id}


@router.delete("/{order_id}")
async def cancel_order(order_id: int) -> None:
    return None


app.include_router(router)
