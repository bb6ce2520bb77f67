"""The service model finds services in common layouts, resolves Kubernetes DNS names by namespace,
reads DSNs and URLs from settings classes, and builds call edges from every source a team uses."""

from __future__ import annotations

import pytest

from reviewer.config import Config
from reviewer.diff import parse_unified_diff
from reviewer.engine import review_change
from reviewer.project import Project
from reviewer.services.build import build_service_model
from reviewer.services.calls import call_edges
from reviewer.services.model import ServiceModel
from reviewer.services.routes import app_routes
from reviewer.workspace.files import DictSource
from tests.corpus.run import unified_diff

APP = "from fastapi import FastAPI\n\napp = FastAPI()\n"
ROUTER = "from fastapi import APIRouter\n\nrouter = APIRouter()\n"
DOCKERFILE = "FROM python:3.12-slim\nCOPY . /srv\n"


def _model(files: dict[str, str]) -> ServiceModel:
    return build_service_model(Project.load(DictSource(files)))


def _roots(files: dict[str, str]) -> set[tuple[str, str | None]]:
    return {(s.name, s.root) for s in _model(files).services}


LAYOUTS = {
    "services/<name>/ as packages": (
        {"services/__init__.py": "", "services/orders/__init__.py": "", "services/orders/main.py": APP,
         "services/billing/__init__.py": "", "services/billing/main.py": APP},
        {("orders", "services/orders"), ("billing", "services/billing")}),
    "<name>/app": (
        {"orders/app/__init__.py": "", "orders/app/main.py": APP,
         "billing/app/__init__.py": "", "billing/app/main.py": APP},
        {("orders", "orders"), ("billing", "billing")}),
    "src/<name>/": (
        {"src/orders/__init__.py": "", "src/orders/main.py": APP,
         "src/billing/__init__.py": "", "src/billing/api/__init__.py": "", "src/billing/api/main.py": APP},
        {("orders", "src/orders"), ("billing", "src/billing")}),
    "one Dockerfile per service, a worker without FastAPI": (
        {"orders/Dockerfile": DOCKERFILE, "orders/orders/__init__.py": "", "orders/orders/api.py": APP,
         "notifier/Dockerfile": DOCKERFILE, "notifier/worker.py": "import time\n"},
        {("orders", "orders"), ("notifier", "notifier")}),
    "one app with routers per domain is one service": (
        {"backend/Dockerfile": DOCKERFILE, "backend/app/__init__.py": "", "backend/app/main.py": APP,
         "backend/app/orders/__init__.py": "", "backend/app/orders/router.py": ROUTER,
         "backend/app/billing/__init__.py": "", "backend/app/billing/router.py": ROUTER},
        {("backend", "backend")}),
    "an admin app beside the main app is the same service": (
        {"orders/app/__init__.py": "", "orders/app/main.py": APP, "orders/app/admin.py": APP},
        {("orders", "orders")}),
    "two services of one folder name are told apart by path": (
        {"api/Dockerfile": DOCKERFILE, "api/main.py": APP, "ee/api/Dockerfile": DOCKERFILE, "ee/api/main.py": APP},
        {("api", "api"), ("ee/api", "ee/api")}),
}


@pytest.mark.parametrize("layout", LAYOUTS, ids=list(LAYOUTS))
def test_services_are_found_in_common_layouts(layout):
    files, expected = LAYOUTS[layout]
    assert _roots(files) == expected


def test_a_compose_copy_built_from_elsewhere_joins_the_service_built_here():
    built_here = "services:\n  api:\n    build: ../backend\n  worker:\n    build: ../backend\n"
    embedded = "services:\n  api:\n    build: ../../backend\n    environment:\n      X: '1'\n"
    files = {"deploy/docker-compose.yml": built_here, "cli/embedded/docker-compose.yml": embedded,
             "backend/Dockerfile": DOCKERFILE, "backend/app/__init__.py": "", "backend/app/main.py": APP}
    model = _model(files)
    api = model.named("api")
    assert api is not None and api.root == "backend" and {"api", "worker"} <= api.hosts
    assert model.owner_of("backend/app/main.py") is api


K8S = """\
apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: orders
  namespace: shop
spec:
  template:
    metadata:
      labels: {app: orders}
    spec:
      containers:
        - name: orders
          image: ghcr.io/acme/orders:1.0.0
---
apiVersion: v1
kind: Service
metadata:
  name: orders-api
  namespace: shop
spec:
  selector: {app: orders}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: reports
spec:
  template:
    metadata:
      labels: {app: reports}
    spec:
      containers:
        - name: reports
          image: ghcr.io/acme/reports:1.0.0
---
apiVersion: v1
kind: Service
metadata:
  name: reports
spec:
  selector: {app: reports}
"""


@pytest.mark.parametrize(("host", "expected"), [
    ("orders-api", "orders"),
    ("orders-api.shop", "orders"),
    ("orders-api.shop.svc", "orders"),
    ("orders-api.shop.svc.cluster.local", "orders"),
    ("ORDERS-API.shop.svc.cluster.local.", "orders"),
    ("orders-api.billing.svc.cluster.local", None),  # a Service of that name in another namespace
    ("orders-api.billing", None),
    ("orders-api.example.com", None),  # someone else's host
    ("reports.analytics.svc.cluster.local", "reports"),  # the manifest leaves the namespace to kubectl -n
    ("reports.analytics", None),  # no manifest names that namespace: an outside host
])
def test_kubernetes_service_dns_names_resolve_to_the_workload_they_select(host, expected):
    model = _model({"k8s/app.yaml": K8S})
    svc = model.resolve_host(host)
    assert (svc.name if svc else None) == expected


@pytest.mark.parametrize(("host", "expected"), [
    ("reports.analytics.svc.cluster.local", "reports"),
    ("reports.analytics", "reports"),
    ("reports.shop.svc.cluster.local", None),  # kustomize puts this Service in analytics
])
def test_a_kustomization_s_namespace_places_the_services_it_lists(host, expected):
    kustomization = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: analytics\n" \
                    "resources:\n  - app.yaml\n"
    model = _model({"k8s/app.yaml": K8S, "k8s/kustomization.yaml": kustomization})
    svc = model.resolve_host(host)
    assert (svc.name if svc else None) == expected


SETTINGS = """\
from pydantic import Field
from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    \"\"\"Defaults for docker compose; e.g. postgresql://user:pw@example-db:5432/demo in prose.\"\"\"

    database_url: str = "postgresql+asyncpg://{svc}:secret@db:5432/shop"
    replica_url: str = Field(default="postgresql://{svc}@localhost:5432/{svc}")
    audit_dsn: str = Field("", description="e.g. postgresql://audit@audit-db:5432/audit")
    {peer}_url: str = "http://{peer}:8000"


settings = Settings()
"""


def _settings_tree() -> dict[str, str]:
    return {"orders/app/__init__.py": "", "orders/app/main.py": APP,
            "orders/app/config.py": SETTINGS.format(svc="orders", peer="billing"),
            "billing/app/__init__.py": "", "billing/app/main.py": APP,
            "billing/app/config.py": SETTINGS.format(svc="billing", peer="orders")}


def test_dsns_in_settings_class_defaults_are_the_service_s_databases():
    model = _model(_settings_tree())
    for name in ("orders", "billing"):
        svc = model.named(name)
        assert svc is not None
        # the localhost default is a developer's, the description is prose: only the real default counts
        assert [(d.label, d.path, d.line) for d in svc.databases] == [("db:5432/shop", f"{name}/app/config.py", 8)]


def test_settings_defaults_and_service_addresses_become_call_edges():
    files = _settings_tree()
    files["orders/app/main.py"] = APP + (
        "import httpx\n\nfrom app.config import settings\n\n\n"
        "@app.get('/orders/{order_id}')\n"
        "async def get_order(order_id: int) -> dict:\n"
        "    async with httpx.AsyncClient(timeout=2) as http:\n"
        "        return (await http.get(f'{settings.billing_url}/invoices/{order_id}')).json()\n")
    files["docker-compose.yml"] = ("services:\n  orders:\n    build: ./orders\n  billing:\n    build: ./billing\n"
                                   "    environment:\n      LEDGER_ADDR: ledger:50051\n      REDIS_HOST: cache\n"
                                   "      DB_HOST: ledger\n      FX_HOST: fx\n"
                                   "  ledger:\n    image: ghcr.io/acme/ledger:2.0.0\n"
                                   "  fx:\n    image: ghcr.io/acme/fx:1.0.0\n")
    edges = call_edges(_model(files))
    assert edges[("orders", "billing")][0] == ("orders/app/config.py", 11)  # URL literal of the settings default
    assert ("orders/app/main.py", 12) in edges[("orders", "billing")]  # the call, its URL read from settings
    assert edges[("billing", "ledger")] == [("docker-compose.yml", 7)]  # a gRPC address; DB_HOST is a database's
    assert edges[("billing", "fx")] == [("docker-compose.yml", 10)]  # a service's host


def test_routes_included_by_an_app_factory_are_served_at_their_full_path():
    files = {
        "users/Dockerfile": DOCKERFILE,
        "users/app/__init__.py": "",
        "users/app/main.py": ("from fastapi import FastAPI\n\nfrom app.api import router\n\n\n"
                              "def create_application() -> FastAPI:\n"
                              "    application = FastAPI(title='users')\n"
                              "    application.include_router(router)\n"
                              "    return application\n\n\napp = create_application()\n"),
        "users/app/api/__init__.py": ("from fastapi import APIRouter\n\nfrom app.api.health import router as health\n\n"
                                      "router = APIRouter(prefix='/api')\nrouter.include_router(health)\n"),
        "users/app/api/health.py": ("from fastapi import APIRouter\n\nrouter = APIRouter(prefix='/health')\n\n\n"
                                    "@router.get('/', status_code=204)\nasync def health() -> None:\n"
                                    "    return None\n"),
    }
    model = _model(files)
    users = model.named("users")
    assert users is not None
    routes = app_routes(model, users)
    assert routes.known and routes.get_paths() == ["/api/health/"]


def test_a_change_elsewhere_neither_posts_nor_counts_an_old_cross_file_finding():
    compose = ("services:\n  orders:\n    build: ./orders\n    environment:\n"
               "      DATABASE_URL: postgresql://shop@db:5432/shop\n  billing:\n    build: ./billing\n"
               "    environment:\n      DATABASE_URL: postgresql://shop@db:5432/shop\n"
               "  db:\n    image: postgres:16.4\n")
    base = {"docker-compose.yml": compose, "orders/Dockerfile": DOCKERFILE, "orders/main.py": APP,
            "billing/Dockerfile": DOCKERFILE, "billing/main.py": APP}
    route = "\n\n@app.get('/orders')\nasync def orders() -> list[int]:\n    return []\n"
    head = {**base, "orders/main.py": APP + route}  # a new route: the model is read again
    report, _ = review_change(parse_unified_diff(unified_diff(base, head)), DictSource(head), Config(),
                              base=DictSource(base))
    assert [f.rule_id for f in report.findings if f.rule_id.startswith("boundary-")] == []
    assert [f.rule_id for f in report.pre_existing if f.rule_id.startswith("boundary-")] == []


def test_the_dockerfile_is_the_one_compose_builds_not_a_guess_beside_the_code():
    from reviewer.services.traits import base_image_trait, dockerfile_of

    files = {"docker-compose.yml": "services:\n  orders:\n    build:\n      context: .\n"
                                   "      dockerfile: docker/orders.Dockerfile\n",
             "docker/orders.Dockerfile": "FROM python:3.12-slim\nCOPY orders /app\n",
             "Dockerfile": "FROM node:22-alpine\n", "orders/__init__.py": "", "orders/main.py": APP}
    model = _model(files)
    orders = model.named("orders")
    assert orders is not None and dockerfile_of(model, orders) == "docker/orders.Dockerfile"
    trait = base_image_trait(model, orders)
    assert trait is not None and "python" in str(trait) and "node" not in str(trait)
