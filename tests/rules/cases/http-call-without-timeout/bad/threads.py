import asyncio
import os

import requests
from fastapi import FastAPI

app = FastAPI()
SHIPPING_URL = os.environ["SHIPPING_URL"]


async def get_json(url: str) -> dict:
    resp = await asyncio.to_thread(requests.get, url)  # expect: http-call-without-timeout
    return resp.json()


@app.get("/shipments/{shipment_id}")
async def shipment(shipment_id: int) -> dict:
    return await get_json(f"{SHIPPING_URL}/shipments/{shipment_id}")


async def notify(payload: dict) -> None:
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, requests.post, f"{SHIPPING_URL}/hooks")  # expect: http-call-without-timeout
