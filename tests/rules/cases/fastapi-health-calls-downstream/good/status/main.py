from fastapi import FastAPI, Response

from status import checks
from tools.state import snapshot  # an installed library, not scripts/tools/

from .state import process_info

app = FastAPI()


@app.get("/livez")
async def livez() -> dict[str, str]:
    return process_info()  # only reads process state


@app.get("/health")
def health(response: Response) -> dict[str, str]:
    info = snapshot()
    if info.get("draining"):
        response.status_code = 503
    return {"status": "ok"}


@app.get("/readyz")
async def readyz() -> dict[str, str]:
    await checks.ping_inventory()  # readiness may check dependencies
    checks.database_ok()
    return {"status": "ready"}
