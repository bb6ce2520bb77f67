from fastapi import FastAPI

from catalog.api.v2.api import api_router

app = FastAPI()
app.include_router(api_router, prefix="/api")
