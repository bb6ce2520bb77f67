from fastapi import APIRouter

router = APIRouter(prefix="/billing", tags=["billing"])


@router.get("/{item_id}")
async def get_item(item_id: int) -> dict:
    return {"id": item_id}
