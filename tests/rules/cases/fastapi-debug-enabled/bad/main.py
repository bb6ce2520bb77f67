import uvicorn
from fastapi import FastAPI

app = FastAPI(title="orders", debug=True)  # expect: fastapi-debug-enabled


def serve() -> None:
    uvicorn.run("orders.main:app", host="0.0.0.0", port=8000, reload=True)  # expect: fastapi-debug-enabled
