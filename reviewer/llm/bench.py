"""The model-review benchmark: a generated PR of many files against a fake Messages API.

``run_llm_bench(fake_base_url)`` is what bench/run.py calls; with no URL it starts the loopback
fake from tests/fakes (run from a checkout) with 1 s of latency per request. It returns a dict:
files, requests, attempts, bytes_sent, est_tokens_sent, input/cache/output tokens, findings,
concurrency, request_token_budget, wall_seconds, est_cost_usd, notes.
"""

from __future__ import annotations

import math
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from reviewer.config import ModelSettings
from reviewer.diff import ChangeSet, FileChange, FileStatus, Hunk
from reviewer.project import Project
from reviewer.rules.registry import RuleContext
from reviewer.workspace.files import DictSource

_PY = '''"""Orders service, handler {i}."""
import httpx
from fastapi import APIRouter, Depends

router = APIRouter(prefix="/v1/orders{i}")


def get_client() -> httpx.Client:
    return httpx.Client(base_url="http://inventory:8000")


@router.get("/{{order_id}}")
async def read_order_{i}(order_id: int, client: httpx.Client = Depends(get_client)):
    stock = client.get(f"/v1/stock/{{order_id}}")
    stock.raise_for_status()
    payload = stock.json()
    total = sum(item["price"] * item["qty"] for item in payload["items"])
    return {{"id": order_id, "total": total, "items": payload["items"]}}


@router.post("/")
async def create_order_{i}(body: dict):
    response = httpx.post("http://payments:8000/v1/charge", json=body)
    return response.json()
'''

_K8S = '''apiVersion: apps/v1
kind: Deployment
metadata:
  name: svc-{i}
spec:
  replicas: 1
  selector:
    matchLabels:
      app: svc-{i}
  template:
    metadata:
      labels:
        app: svc-{i}
    spec:
      containers:
        - name: app
          image: registry.example.com/svc-{i}:latest
          ports:
            - containerPort: 8000
          env:
            - name: DATABASE_URL
              value: postgresql://svc:notsecret{i}@db:5432/svc
'''

_DOCKERFILE = '''FROM python:3.12-slim
COPY . /app
RUN pip install -r /app/requirements.txt
CMD uvicorn app.main:app --host 0.0.0.0 --port 8000
'''


def synthetic_pr(n_files: int = 150) -> tuple[ChangeSet, RuleContext]:
    """``n_files`` changed files across ten services: mostly FastAPI modules, some manifests and Dockerfiles."""
    files: dict[str, str] = {}
    changes = ChangeSet(base_sha="b" * 40, head_sha="h" * 40)
    for i in range(n_files):
        service = f"services/svc{i % 10}"
        if i % 10 == 8:
            path, text = f"deploy/k8s/svc-{i}.yaml", _K8S.format(i=i)
        elif i % 10 == 9:
            path, text = f"{service}/Dockerfile.{i}", _DOCKERFILE
        else:
            path, text = f"{service}/app/routes_{i}.py", _PY.format(i=i)
        files[path] = text
        total = text.count("\n")
        added = frozenset(range(max(1, total - 12), total + 1))
        visible = frozenset(range(max(1, total - 15), total + 1))
        changes.files[path] = FileChange(path=path, status=FileStatus.MODIFIED,
                                         hunks=[Hunk(min(visible), len(visible), added, visible)],
                                         additions=len(added))
    project = Project.load(DictSource(dict(files)))
    ctx = RuleContext(project=project, changes=changes, targets=frozenset(files))
    return changes, ctx


def run_llm_bench(fake_base_url: str | None = None, n_files: int = 150, latency: float = 1.0,
                  settings: ModelSettings | None = None) -> dict[str, Any]:
    """Requests, bytes sent, tokens (estimated and as the server counted), cache reads and wall time."""
    if fake_base_url is None:
        try:
            from tests.fakes.anthropic_server import FakeAnthropic, echo_answer
        except ImportError:
            root = Path(__file__).resolve().parents[2]
            if not (root / "tests" / "fakes" / "anthropic_server.py").is_file():
                return {"skipped": "the model bench needs a checkout (tests/fakes/anthropic_server.py)"}
            sys.path.insert(0, str(root))
            from tests.fakes.anthropic_server import FakeAnthropic, echo_answer

        with FakeAnthropic(answer=echo_answer, latency=latency) as fake:
            return run_llm_bench(fake.base_url, n_files, latency, settings)
    from reviewer.llm.anthropic_client import AnthropicModelClient
    from reviewer.llm.review import run_review

    # A smaller budget than the default 24k tokens, so that the PR takes several rounds of requests
    # and the rounds after the first read the system prompt from the cache.
    settings = settings or replace(ModelSettings(), request_token_budget=8_000, max_requests=1_000,
                                   max_input_tokens=10_000_000)
    changes, ctx = synthetic_pr(n_files)
    # arch-review: ignore[fastapi-hardcoded-secret] a dummy key: the bench talks to the loopback fake only
    client = AnthropicModelClient(settings, api_key="bench-key", base_url=fake_base_url)
    client.warm()  # the SDK import (about a second) is start-up cost, not the review's wall time
    started = time.monotonic()
    result = run_review(changes, ctx, [], settings, client, pr_title="Benchmark PR")
    wall = time.monotonic() - started
    usage = result.usage
    return {
        "files": n_files,
        "requests": usage.requests,
        "attempts": client.stats.attempts,
        "bytes_sent": client.stats.bytes_sent,
        "est_tokens_sent": math.ceil(client.stats.bytes_sent / 3.5),
        "input_tokens": usage.input_tokens,
        "cache_read_tokens": usage.cache_read_tokens,
        "cache_write_tokens": usage.cache_write_tokens,
        "output_tokens": usage.output_tokens,
        "findings": len(result.findings),
        "concurrency": settings.concurrency,
        "request_token_budget": settings.request_token_budget,
        "wall_seconds": round(wall, 3),
        "est_cost_usd": usage.est_cost_usd,
        "notes": result.notes,
    }
