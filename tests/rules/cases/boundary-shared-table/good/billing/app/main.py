from fastapi import FastAPI

app = FastAPI()


@app.get("/livez")
async def livez() -> dict[str, str]:
    return {"status": "alive"}
