from fastapi import FastAPI
from prometheus_client import make_asgi_app

app = FastAPI()
app.mount("/metrics", make_asgi_app())  # expect: metrics-on-public-port


@app.get("/ping")
async def ping() -> str:
    return "pong"
