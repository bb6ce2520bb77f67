from fastapi import FastAPI

from .checks import stripe_reachable
from .state import process_info

app = FastAPI()


@app.get("/livez")
async def livez() -> dict[str, str]:
    return process_info()


@app.get("/readyz")
async def readyz() -> dict[str, str]:
    await stripe_reachable()
    return {"status": "ready"}
