from contextlib import asynccontextmanager

from fastapi import FastAPI

import clients


@asynccontextmanager
async def lifespan(app: FastAPI):
    yield
    await clients.inventory.aclose()


app = FastAPI(lifespan=lifespan)
