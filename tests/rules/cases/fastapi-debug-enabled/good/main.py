import os

import uvicorn
from fastapi import FastAPI

app = FastAPI(title="orders", debug=os.environ.get("DEBUG") == "1")


def serve() -> None:
    uvicorn.run("orders.main:app", host="0.0.0.0", port=8000, workers=4)


if __name__ == "__main__":
    # local development entry point only
    uvicorn.run("orders.main:app", host="127.0.0.1", port=8000, reload=True)


def run_server() -> None:
    """Runs a single auto-reloading server for local development."""
    uvicorn.run("orders.main:app", reload=True)
