import asyncio
from concurrent.futures import ThreadPoolExecutor

from fastapi import APIRouter

router = APIRouter()
executor = ThreadPoolExecutor(max_workers=4)


def render(order_id: int) -> bytes:
    return str(order_id).encode()


@router.post("/orders/{order_id}/invoice")
async def invoice(order_id: int) -> dict[str, int]:
    loop = asyncio.get_running_loop()
    pdf = await loop.run_in_executor(executor, render, order_id)  # expect: otel-context-lost
    return {"bytes": len(pdf)}
