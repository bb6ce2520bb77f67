import logging

from asgi_correlation_id import CorrelationIdMiddleware
from fastapi import Depends, FastAPI, APIRouter
from pydantic import BaseModel

from app.auth import require_user

logger = logging.getLogger(__name__)
app = FastAPI(title="loadgen")
app.add_middleware(CorrelationIdMiddleware)
router = APIRouter(prefix="/v1/loadgen", dependencies=[Depends(require_user)])


class Health(BaseModel):
    status: str


class Item(BaseModel):
    id: int


@app.get("/healthz")
async def healthz() -> Health:
    return Health(status="ok")


@router.get("/{item_id}")
async def get_item(item_id: int) -> Item:
    logger.info("read %s", item_id)
    return Item(id=item_id)


app.include_router(router)
