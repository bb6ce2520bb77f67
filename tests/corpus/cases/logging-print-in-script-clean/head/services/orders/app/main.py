import logging

from asgi_correlation_id import CorrelationIdMiddleware
from fastapi import Depends, FastAPI, APIRouter
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from prometheus_fastapi_instrumentator import Instrumentator
from pydantic import BaseModel

from app.auth import require_user

logger = logging.getLogger(__name__)
app = FastAPI(title="orders")
app.add_middleware(CorrelationIdMiddleware)
FastAPIInstrumentor.instrument_app(app)
Instrumentator().instrument(app).expose(app, include_in_schema=False)
router = APIRouter(prefix="/v1/orders", dependencies=[Depends(require_user)])


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
