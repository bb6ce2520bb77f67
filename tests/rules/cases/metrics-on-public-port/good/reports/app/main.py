from fastapi import FastAPI
from prometheus_client import make_asgi_app

app = FastAPI()
app.mount("/metrics", make_asgi_app())


@app.get("/ping")
async def ping() -> str:
    return "pong"
