from fastapi import APIRouter

router = APIRouter()
PRICES = {1: 1200}


# the same path as v1's, behind another prefix; v2 keeps its own copy of prices
@router.get("/products/{product_id}")
async def product_v2(product_id: int) -> dict:
    return {"id": product_id, "price": PRICES.get(product_id)}
