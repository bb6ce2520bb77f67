import os

from fastapi import FastAPI
from sqlalchemy import create_engine, text

engine = create_engine(os.environ["DATABASE_URL"], pool_pre_ping=True)
app = FastAPI()


@app.get("/livez")
def livez() -> dict[str, str]:
    return {"status": "alive"}


# named like a liveness route, but k8s/orders.yaml uses it only as the readiness probe
@app.get("/health")
def health() -> dict[str, str]:
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    return {"status": "ok"}
