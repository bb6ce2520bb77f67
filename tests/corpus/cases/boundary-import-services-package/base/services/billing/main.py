from fastapi import FastAPI

app = FastAPI(title="billing")


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}
