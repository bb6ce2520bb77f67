from fastapi import FastAPI
from prometheus_client import start_http_server

app = FastAPI()
start_http_server(9100)


@app.get("/ping")
async def ping() -> str:
    return "pong"
