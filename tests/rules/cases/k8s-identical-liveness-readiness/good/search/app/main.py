from fastapi import FastAPI

app = FastAPI()


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    # shallow: no database, no downstream call; one handler serves both probes
    return {"status": "ok"}
