"""Generate a realistic FastAPI microservices monorepo of exactly N relevant files, for `make bench`.

Each service gets an app (FastAPI routes, Pydantic models, an httpx client in lifespan), SQLAlchemy
models, a Dockerfile and a Kubernetes manifest (Deployment + Service); every eight services share a
compose file. About a third of each kind carries a typical mistake, so the rules have work to do.
Deterministic: the same N gives the same tree.

    python bench/genrepo.py 1000 bench/out/repo-1000
"""

from __future__ import annotations

import random
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

NOUNS = ("orders", "billing", "inventory", "shipping", "catalog", "payments", "users", "search", "pricing",
         "reviews", "carts", "returns", "loyalty", "notify", "ledger", "quotes", "tax", "fraud", "stock", "media")


def _service_name(i: int) -> str:
    return f"{NOUNS[i % len(NOUNS)]}-{i // len(NOUNS)}"


def _app(name: str, peer: str, rnd: random.Random) -> str:
    ident = name.replace("-", "_")
    routes = []
    for r in range(rnd.randint(3, 6)):
        style = rnd.random()
        if style < 0.15:  # the classic: blocking call, no timeout, in an async route
            routes.append(f'''
@app.get("/v1/{ident}/{{item_id}}/peer{r}")
async def peer_{r}(item_id: int) -> Item:
    resp = requests.get(f"{{PEER_URL}}/v1/items/{{item_id}}")
    resp.raise_for_status()
    return Item(**resp.json())
''')
        elif style < 0.4:
            routes.append(f'''
@app.get("/v1/{ident}/{{item_id}}/report{r}")
def report_{r}(item_id: int) -> Item:
    resp = requests.get(f"{{PEER_URL}}/v1/items/{{item_id}}", timeout=(3.05, 10))
    resp.raise_for_status()
    return Item(**resp.json())
''')
        else:
            routes.append(f'''
@app.post("/v1/{ident}/items{r}", status_code=201)
async def create_{r}(item: ItemIn, request: Request) -> Item:
    resp = await request.app.state.peer.get(f"/v1/items/{{item.sku}}")
    if resp.status_code == 404:
        raise HTTPException(status_code=404, detail="unknown sku")
    resp.raise_for_status()
    return Item(id={r}, sku=item.sku, quantity=item.quantity)
''')
    return f'''"""{name}: part of the generated benchmark monorepo."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import requests
from fastapi import FastAPI, HTTPException, Request
from pydantic import BaseModel

PEER_URL = os.environ.get("PEER_URL", "http://{peer}:8000")


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    async with httpx.AsyncClient(base_url=PEER_URL, timeout=httpx.Timeout(5.0, connect=2.0)) as client:
        app.state.peer = client
        yield


app = FastAPI(title="{name}", lifespan=lifespan)


class ItemIn(BaseModel):
    sku: str
    quantity: int


class Item(BaseModel):
    id: int
    sku: str
    quantity: int


class Health(BaseModel):
    status: str


@app.get("/healthz")
async def healthz() -> Health:
    return Health(status="ok")
{"".join(routes)}'''


def _models(name: str) -> str:
    table = name.replace("-", "_")
    return f'''from sqlalchemy import Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class {table.title().replace("_", "")}Row(Base):
    __tablename__ = "{table}_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sku: Mapped[str] = mapped_column(String(64), index=True)
    quantity: Mapped[int] = mapped_column(Integer, default=0)
'''


def _dockerfile(rnd: random.Random) -> str:
    base = "python:3.12-slim" if rnd.random() > 0.1 else "python:latest"
    user = "RUN useradd --create-home --uid 10001 app\nUSER app\n" if rnd.random() > 0.3 else ""
    health = ('HEALTHCHECK CMD ["python", "-c", "import urllib.request; '
              'urllib.request.urlopen(\'http://localhost:8000/healthz\', timeout=2)"]\n') if rnd.random() > 0.5 else ""
    cmd = ('CMD ["uvicorn", "app:app", "--host", "0.0.0.0", "--port", "8000"]' if rnd.random() > 0.25
           else "CMD uvicorn app:app --host 0.0.0.0 --port 8000")
    return (f"FROM {base}\n\nENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1\nWORKDIR /app\n"
            "COPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\nCOPY . .\n"
            f"{user}\nEXPOSE 8000\n{health}{cmd}\n")


def _manifest(name: str, rnd: random.Random) -> str:
    tag = "latest" if rnd.random() < 0.15 else f"1.{rnd.randint(0, 30)}.{rnd.randint(0, 9)}"
    readiness = ("          readinessProbe:\n            httpGet:\n              path: /healthz\n"
                 "              port: http\n            periodSeconds: 5\n") if rnd.random() > 0.3 else ""
    memory = "              memory: 512Mi\n" if rnd.random() > 0.3 else ""
    security = ("      securityContext:\n        runAsNonRoot: true\n        runAsUser: 10001\n"
                if rnd.random() > 0.3 else "")
    privileged = ("          securityContext:\n            privileged: true\n") if rnd.random() < 0.05 else ""
    grace = rnd.choice((30, 30, 30, 60, 0))
    return f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  labels:
    app: {name}
spec:
  replicas: {rnd.choice((1, 2, 3, 3))}
  selector:
    matchLabels:
      app: {name}
  template:
    metadata:
      labels:
        app: {name}
    spec:
      terminationGracePeriodSeconds: {grace}
{security}      containers:
        - name: {name}
          image: ghcr.io/acme/{name}:{tag}
          ports:
            - name: http
              containerPort: 8000
          env:
            - name: DATABASE_URL
              valueFrom:
                secretKeyRef:
                  name: {name}-db
                  key: url
          livenessProbe:
            httpGet:
              path: /healthz
              port: http
            periodSeconds: 10
{readiness}{privileged}          resources:
            requests:
              cpu: 100m
              memory: 256Mi
            limits:
              cpu: "1"
{memory}---
apiVersion: v1
kind: Service
metadata:
  name: {name}
spec:
  selector:
    app: {name}
  ports:
    - name: http
      port: 80
      targetPort: http
"""


def _compose(names: list[str], rnd: random.Random) -> str:
    out = ["services:"]
    for name in names:
        depends = ("    depends_on:\n      - db\n" if rnd.random() < 0.3 else
                   "    depends_on:\n      db:\n        condition: service_healthy\n")
        out.append(f"""  {name}:
    build: ../services/{name}
    environment:
      DATABASE_URL: postgresql://{name.replace("-", "_")}@db:5432/{name.replace("-", "_")}
      PGPASSWORD: ${{DB_PASSWORD}}
{depends}    restart: unless-stopped""")
    out.append("""  db:
    image: postgres:16.6
    environment:
      POSTGRES_PASSWORD: ${DB_PASSWORD}
    ports:
      - "127.0.0.1:5432:5432"
    healthcheck:
      test: ["CMD-SHELL", "pg_isready -U postgres"]
      interval: 5s
      retries: 10
    restart: unless-stopped
""")
    return "\n".join(out)


def _files() -> Iterator[tuple[str, str]]:
    """An endless stream of (path, text), service by service, compose files every eight services."""
    group: list[str] = []
    i = 0
    while True:
        name, peer = _service_name(i), _service_name(i + 1)
        rnd = random.Random(i)
        yield f"services/{name}/app.py", _app(name, peer, rnd)
        yield f"services/{name}/models.py", _models(name)
        yield f"services/{name}/Dockerfile", _dockerfile(rnd)
        yield f"k8s/{name}.yaml", _manifest(name, rnd)
        group.append(name)
        if len(group) == 8:
            yield f"deploy/compose-{i // 8}.yml", _compose(group, rnd)
            group = []
        i += 1


def generate(n: int, out: Path) -> Path:
    if out.exists():
        shutil.rmtree(out)
    for count, (path, text) in enumerate(_files()):
        if count == n:
            break
        target = out / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    return out


if __name__ == "__main__":
    size, where = int(sys.argv[1]), Path(sys.argv[2])
    generate(size, where)
    print(f"{size} files in {where}")
