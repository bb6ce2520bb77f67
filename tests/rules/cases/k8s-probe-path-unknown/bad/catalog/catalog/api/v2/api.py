from fastapi import APIRouter

from .endpoints import health

# a router with its own prefix, included into the app under another one
api_router = APIRouter(prefix="/v2")
api_router.include_router(health.router, prefix="/health")
