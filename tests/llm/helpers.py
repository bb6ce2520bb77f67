"""Small builders for the model-review tests: a project, its change, and a client on the fake."""

from __future__ import annotations

from dataclasses import replace

from reviewer.config import ModelSettings
from reviewer.diff import ChangeSet, FileChange, FileStatus, Hunk
from reviewer.llm.anthropic_client import AnthropicModelClient
from reviewer.project import Project
from reviewer.rules.registry import RuleContext
from reviewer.workspace.files import DictSource

CONTEXT = 3


def change_of(files: dict[str, str], added: dict[str, set[int]] | None = None) -> tuple[ChangeSet, RuleContext]:
    """Every file changed; ``added`` lines per path (default: all lines added, a new file)."""
    changes = ChangeSet(base_sha="b" * 40, head_sha="h" * 40)
    for path, text in files.items():
        count = len(text.splitlines())
        lines = (added or {}).get(path, set(range(1, count + 1)))
        visible = {n for a in lines for n in range(a - CONTEXT, a + CONTEXT + 1) if 1 <= n <= count}
        status = FileStatus.ADDED if added is None or path not in added else FileStatus.MODIFIED
        changes.files[path] = FileChange(path, status, hunks=[Hunk(min(visible), len(visible), frozenset(lines),
                                                                   frozenset(visible))])
    project = Project.load(DictSource(dict(files)))
    return changes, RuleContext(project=project, changes=changes, targets=frozenset(files))


def settings(**changes: object) -> ModelSettings:
    return replace(ModelSettings(), **changes)


def client_for(fake, s: ModelSettings | None = None, **kwargs: object) -> AnthropicModelClient:
    kwargs.setdefault("retry_wait", 0.01)
    return AnthropicModelClient(s or settings(), api_key="sk-test-key", base_url=fake.base_url, **kwargs)


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
