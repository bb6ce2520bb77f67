from fastapi import FastAPI

app = FastAPI(title="search")


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}
