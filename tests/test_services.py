"""The service model built from small in-memory trees: compose + k8s + code."""

from __future__ import annotations

from reviewer.config import Config
from reviewer.diff import parse_unified_diff
from reviewer.engine import review
from reviewer.project import Project
from reviewer.rules.registry import RuleContext
from reviewer.services.build import build_service_model
from reviewer.services.calls import call_edges, resolve_call
from reviewer.services.endpoints import expand_vars, parse_dsn
from reviewer.workspace.files import DictSource

DOCKERFILE = "FROM python:3.12-slim\nCOPY . /srv\n"
APP = "from fastapi import FastAPI\n\napp = FastAPI()\n"

COMPOSE = """\
services:
  orders:
    build: ./orders
    environment:
      DATABASE_URL: postgresql+asyncpg://orders:${DB_PASSWORD}@db:5432/${ORDERS_DB:-orders}
      INVENTORY_URL: http://inventory:8000
  orders-worker:
    build: ./orders
    environment:
      - DATABASE_URL=postgresql://orders@db/orders
  inventory:
    build:
      context: .
      dockerfile: inventory/Dockerfile
    environment:
      - DB_HOST=db
      - DB_NAME=${INVENTORY_DB}
  grafana:
    image: grafana/grafana:11.1.0
  db:
    image: postgres:16.4
  kafka:
    image: bitnami/kafka:3.7
"""

K8S = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: orders-config
data:
  PRICING_URL: http://pricing.shop.svc.cluster.local:8080
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: orders
spec:
  template:
    metadata:
      labels: {app: orders}
    spec:
      containers:
        - name: orders
          image: ghcr.io/acme/orders:1.4.0
          envFrom:
            - configMapRef: {name: orders-config}
        - name: proxy
          image: envoyproxy/envoy:v1.31.0
          env:
            - name: DATABASE_URL
              value: postgresql://envoy@elsewhere/envoy
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: pricing
spec:
  template:
    metadata:
      labels: {app: pricing}
    spec:
      containers:
        - name: pricing
          image: ghcr.io/acme/pricing:3.0.0
---
apiVersion: v1
kind: Service
metadata:
  name: pricing-svc
spec:
  selector: {app: pricing}
"""


def _project(extra: dict[str, str] | None = None) -> Project:
    files = {
        "docker-compose.yml": COMPOSE,
        ".env": "DB_PASSWORD=dev\nINVENTORY_DB=stock\n",
        "k8s/app.yaml": K8S,
        "orders/Dockerfile": DOCKERFILE,
        "orders/app/__init__.py": "",
        "orders/app/main.py": APP + (
            "import httpx\n"
            "client = httpx.AsyncClient(timeout=5)\n\n"
            "@app.get('/orders/{order_id}')\n"
            "async def get_order(order_id: int):\n"
            "    return (await client.get(f'http://inventory:8000/items/{order_id}')).json()\n"),
        "inventory/Dockerfile": DOCKERFILE,
        "inventory/main.py": APP,
        "libs/common/__init__.py": "",
        "tools/app.py": APP,
        "tests/conftest.py": APP,
    }
    files.update(extra or {})
    return Project.load(DictSource(files))


def test_compose_k8s_and_code_roots_become_services():
    model = build_service_model(_project())
    by_name = {s.name: s for s in model.services}
    assert set(by_name) == {"orders", "inventory", "grafana", "pricing", "tools"}
    orders = by_name["orders"]
    assert orders.root == "orders"
    assert {"compose", "k8s", "dockerfile"} <= orders.origins
    assert {"orders", "orders-worker"} <= orders.aliases  # same build context: one service
    assert by_name["inventory"].root == "inventory"  # context ".", Dockerfile in inventory/
    assert by_name["grafana"].third_party
    assert by_name["tools"].root == "tools" and "fastapi" in by_name["tools"].origins
    assert [d.name for d in model.datastores] == ["db", "kafka"]
    assert model.owner_of("orders/app/main.py") is orders
    assert model.owner_of("libs/common/__init__.py") is None
    assert "tests/conftest.py" not in {p for s in model.services for p in s.files}


def test_env_values_are_expanded_and_located():
    model = build_service_model(_project())
    orders = next(s for s in model.services if s.name == "orders")
    dsns = {(d.key, d.path, d.line) for d in orders.databases}
    # the compose DSN and the worker's one; the envoy sidecar's DATABASE_URL is not the service's
    key = ("db", 5432, "orders")
    assert dsns == {(key, "docker-compose.yml", 5), (key, "docker-compose.yml", 10)}
    inventory = next(s for s in model.services if s.name == "inventory")
    assert [(d.key, d.var, d.line) for d in inventory.databases] == [(("db", 5432, "stock"), "DB_NAME", 17)]
    pricing_url = next(u for u in orders.urls if u.var == "PRICING_URL")
    assert (pricing_url.host, pricing_url.path, pricing_url.line) == ("pricing", "k8s/app.yaml", 6)


def test_hosts_resolve_to_services_and_calls_become_edges():
    model = build_service_model(_project())
    assert model.resolve_host("pricing-svc.shop.svc.cluster.local").name == "pricing"
    assert model.resolve_host("orders-worker").name == "orders"
    edges = call_edges(model)
    assert ("orders", "inventory") in edges and ("orders", "pricing") in edges
    orders = next(s for s in model.services if s.name == "orders")
    route = next(r for f in orders.facts(model) for r in f.routes)
    assert (route.method, route.path, route.does_io) == ("get", "/orders/{order_id}", True)
    target, path = resolve_call(model, orders, route.calls[0].template)
    assert (target.name, path) == ("inventory", "/items/{}")


def test_the_model_is_built_once_per_project():
    project = _project()
    assert build_service_model(project) is build_service_model(project)


def test_dsn_parsing_normalises_schemes_and_skips_what_it_cannot_place():
    assert parse_dsn("postgresql+asyncpg://u:p@db:6543/app") == ("postgresql", "db", 6543, "app")
    assert parse_dsn("postgres://u@db.data.svc.cluster.local/app?sslmode=require") == ("postgresql", "db", 5432, "app")
    assert parse_dsn("jdbc:mysql://mysql/shop") == ("mysql", "mysql", 3306, "shop")
    assert parse_dsn("sqlite:///./app.db") is None
    assert parse_dsn("postgresql://u@localhost/app") is None
    assert parse_dsn("postgresql://u@${DB_HOST}/app") is None
    assert expand_vars("${A:-x}/${B-y}/${C}/$D", {"A": "", "B": "", "D": "d"}) == "x//${C}/d"


def test_shared_database_in_a_pr_lands_on_the_changed_dsn_line():
    base_compose = COMPOSE.replace("- DB_NAME=${INVENTORY_DB}", "- DB_NAME=stock")
    head_compose = COMPOSE.replace("- DB_NAME=${INVENTORY_DB}", "- DB_NAME=orders")
    diff = (
        "diff --git a/docker-compose.yml b/docker-compose.yml\n--- a/docker-compose.yml\n+++ b/docker-compose.yml\n"
        "@@ -17,1 +17,1 @@\n-      - DB_NAME=stock\n+      - DB_NAME=orders\n")
    assert base_compose != head_compose
    project = _project({"docker-compose.yml": head_compose})
    changes = parse_unified_diff(diff)
    ctx = RuleContext(project=project, changes=changes, targets=frozenset({"docker-compose.yml"}))
    report = review(ctx, Config(disabled=frozenset()))
    shared = [(f.path, f.line) for f in report.findings if f.rule_id == "boundary-shared-database"]
    assert shared == [("docker-compose.yml", 17)]
