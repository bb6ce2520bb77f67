from fastapi import FastAPI

from status import checks

from .checks import ping_inventory

app = FastAPI()


@app.get("/livez")
async def livez() -> dict[str, str]:
    await ping_inventory()  # expect: fastapi-health-calls-downstream
    return {"status": "alive"}


@app.get("/health")
def health() -> dict[str, str]:
    checks.database_ok()  # expect: fastapi-health-calls-downstream
    return {"status": "ok"}
