from fastapi import FastAPI

from app import v1, v2

app = FastAPI()
app.include_router(v1.router, prefix="/v1")
app.include_router(v2.router, prefix="/v2")
