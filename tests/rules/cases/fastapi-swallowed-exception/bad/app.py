import logging

from fastapi import FastAPI

from .payments import charge
from .schemas import OrderIn

app = FastAPI()
log = logging.getLogger(__name__)


@app.post("/orders")
async def create_order(order: OrderIn):
    try:
        await charge(order)
    except Exception:  # expect: fastapi-swallowed-exception
        pass
    return {"status": "created"}


@app.post("/orders/{order_id}/refund")
async def refund(order_id: int):
    try:
        await charge(order_id, refund=True)
    except Exception as exc:  # expect: fastapi-swallowed-exception
        log.exception("refund failed")
        return {"status": "error", "detail": str(exc)}
    return {"status": "refunded"}


@app.get("/orders/{order_id}")
def get_order(order_id: int):
    try:
        return {"order": order_id}
    except:  # expect: fastapi-swallowed-exception  # noqa: E722
        return {}
