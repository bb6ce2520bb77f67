from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse

from app.clients import fetch_label, fetch_stock
from shared.inventory import check_stock  # an installed library: not the billing service's shared/ package

from . import exports, legacy

app = FastAPI()


@app.get("/items/{item_id}")
async def get_item(item_id: int) -> dict:
    stock = await fetch_stock(item_id)  # async helper, awaited
    label = fetch_label(item_id)  # sync helper that only formats a string
    history = await run_in_threadpool(legacy.fetch_history, item_id)  # sync I/O, run in a worker thread
    available = check_stock(item_id)  # resolved nowhere in this tree: left alone
    return {"stock": stock, "label": label, "history": history, "available": available}


@app.get("/items/export.csv")
async def export_items() -> StreamingResponse:
    # a sync generator: Starlette iterates it in its thread pool
    return StreamingResponse(exports.rows(), media_type="text/csv")
