from fastapi import APIRouter, FastAPI

from app.cancellation import router as cancellation_router

app = FastAPI()
router = APIRouter(prefix="/orders")


@router.get("/{order_id}")
async def get_order(order_id: int) -> dict:
    return {"id": order_id}


app.include_router(router)
app.include_router(cancellation_router)
