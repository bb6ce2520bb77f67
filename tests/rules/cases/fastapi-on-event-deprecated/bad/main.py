import httpx
from fastapi import APIRouter, FastAPI

app = FastAPI()
router = APIRouter()
client: httpx.AsyncClient | None = None


@app.on_event("startup")  # expect: fastapi-on-event-deprecated
async def open_client() -> None:
    global client
    client = httpx.AsyncClient(timeout=5.0)


@app.on_event("shutdown")  # expect: fastapi-on-event-deprecated
async def close_client() -> None:
    await client.aclose()


async def warm_cache() -> None:
    ...


router.add_event_handler("startup", warm_cache)  # expect: fastapi-on-event-deprecated
app.include_router(router)
