from fastapi import FastAPI

from .checks import stripe_reachable

app = FastAPI()


@app.get("/livez")
async def livez() -> dict[str, str]:
    await stripe_reachable()
    return {"status": "alive"}
