"""The Mermaid service map: nodes, edges, highlighted problems, safe ids and labels."""

from __future__ import annotations

import re
from pathlib import Path

from reviewer.cli import main
from reviewer.project import Project
from reviewer.render.mermaid import render_service_map
from reviewer.workspace.files import DictSource

APP = "from fastapi import FastAPI\n\napp = FastAPI()\n"
COMPOSE = """\
services:
  orders.api:
    build: ./orders
    environment:
      DATABASE_URL: postgresql://orders@db/shop
      INVENTORY_URL: http://inventory:8000
      KAFKA_BOOTSTRAP_SERVERS: kafka:9092
  inventory:
    build: ./inventory
    environment:
      DATABASE_URL: postgresql://inventory@db/shop
      ORDERS_URL: http://orders.api:8000
  billing:
    build: ./billing
    environment:
      DATABASE_URL: postgresql://billing@db/billing
  db:
    image: postgres:16.4
  kafka:
    image: bitnami/kafka:3.7
"""

_NODE = re.compile(r"^  ([A-Za-z0-9_]+)(\[\(|\[|\{\{|\(\[)")
_EDGE = re.compile(r"^  ([A-Za-z0-9_]+) (-->|-\.->|-->\|(?:HTTP|gRPC|routes)\|) ([A-Za-z0-9_]+)$")


def _map() -> str:
    files = {"docker-compose.yml": COMPOSE}
    for svc in ("orders", "inventory", "billing"):
        files[f"{svc}/Dockerfile"] = "FROM python:3.12-slim\n"
        files[f"{svc}/main.py"] = APP
    return render_service_map(Project.load(DictSource(files)))


def test_map_shows_services_databases_brokers_and_calls():
    text = _map()
    lines = text.splitlines()
    assert lines[0] == "flowchart LR"
    nodes = {m.group(1) for line in lines if (m := _NODE.match(line))}
    assert nodes == {"svc_orders_api", "svc_inventory", "svc_billing", "db_db_5432_shop", "db_db_5432_billing",
                     "store_kafka"}
    edges = [m.groups() for line in lines if (m := _EDGE.match(line))]
    assert ("svc_orders_api", "-->|HTTP|", "svc_inventory") in edges
    assert ("svc_orders_api", "-.->", "store_kafka") in edges
    assert ("svc_billing", "-->", "db_db_5432_billing") in edges
    assert all(src in nodes and dst in nodes for src, _, dst in edges)


def test_shared_database_and_cycle_edges_are_highlighted():
    lines = _map().splitlines()
    edges = [m.groups() for line in lines if (m := _EDGE.match(line))]
    style = next(line for line in lines if line.startswith("  linkStyle "))
    red = {edges[int(i)] for i in style.split()[1].split(",")}
    assert red == {("svc_inventory", "-->", "db_db_5432_shop"), ("svc_orders_api", "-->", "db_db_5432_shop"),
                   ("svc_inventory", "-->|HTTP|", "svc_orders_api"), ("svc_orders_api", "-->|HTTP|", "svc_inventory")}


def test_labels_are_escaped():
    files = {"svc-\"quoted\"<x>/Dockerfile": "FROM python:3.12-slim\n", "svc-\"quoted\"<x>/main.py": APP}
    text = render_service_map(Project.load(DictSource(files)))
    assert '"svc-#quot;quoted#quot;#lt;x#gt;<br/>' in text
    assert _NODE.match(text.splitlines()[1])


def test_empty_tree_is_still_a_valid_chart():
    assert render_service_map(Project.load(DictSource({}))) == 'flowchart LR\n  empty["no services found"]\n'


def test_cli_audit_prints_the_map(tmp_path: Path):
    (tmp_path / "docker-compose.yml").write_text(COMPOSE)
    import io
    out, err = io.StringIO(), io.StringIO()
    code = main(["audit", str(tmp_path), "--format", "mermaid"], out, err)
    assert code == 0, err.getvalue()
    assert out.getvalue().startswith("flowchart LR\n") and "store_kafka" in out.getvalue()


_GRAMMAR = [  # the subset of Mermaid's flowchart grammar the map uses, one form per line
    re.compile(r'^  [A-Za-z0-9_]+(\["[^"<>]*<br/>[^"<>]*"\]|\[\("[^"<>]*"\)\]|\{\{"[^"<>]*"\}\}|\(\["[^"<>]*"\]\))'
               r':::(service|datastore|broker|cache)$'),
    _EDGE,
    re.compile(r"^  classDef (service|datastore|broker|cache) [a-z-]+:#[0-9a-f]{3,6}(,[a-z-]+:#[0-9a-f]{3,6})*$"),
    re.compile(r"^  linkStyle \d+(,\d+)* stroke:#[0-9a-f]{6},stroke-width:\d+px$"),
]

SHOP = COMPOSE + """\
  cache:
    image: redis:7.2
  payments:
    build: ./payments
    environment:
      REDIS_URL: redis://cache:6379/0
      DATABASE_URL: postgresql://payments@pay-db/payments
  pay-db:
    image: postgres:16.4
"""


def _shop_files() -> dict[str, str]:
    files = {"docker-compose.yml": SHOP}
    for svc in ("orders", "inventory", "billing", "payments"):
        files[f"{svc}/Dockerfile"] = "FROM python:3.12-slim\n"
        files[f"{svc}/main.py"] = APP
    return files


def test_the_map_is_valid_mermaid_with_unique_ids_and_edges_between_declared_nodes():
    lines = render_service_map(Project.load(DictSource(_shop_files()))).splitlines()
    assert lines[0] == "flowchart LR"
    bad = [line for line in lines[1:] if not any(g.match(line) for g in _GRAMMAR)]
    assert bad == []
    ids = [m.group(1) for line in lines if (m := _NODE.match(line))]
    assert len(ids) == len(set(ids))
    edges = [m.groups() for line in lines if (m := _EDGE.match(line))]
    assert all(src in ids and dst in ids for src, _, dst in edges)
    style = [line for line in lines if line.startswith("  linkStyle ")]
    assert all(int(i) < len(edges) for line in style for i in line.split()[1].split(","))


def test_a_redis_cache_is_a_cache_not_a_broker_and_a_database_is_drawn_once():
    text = render_service_map(Project.load(DictSource(_shop_files())))
    assert '  store_cache(["cache"]):::cache' in text
    assert "  svc_payments --> store_cache" in text
    assert "svc_pay_db" not in text and "svc_db[" not in text  # the postgres containers are databases, not services
    assert "  svc_payments --> db_pay_db_5432_payments" in text or "  svc_payments --> db_pay_db_payments" in text


def test_dot_and_json_draw_the_same_graph(tmp_path: Path):
    import io
    import json

    for name, text in _shop_files().items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    outs = {}
    for fmt in ("mermaid", "dot", "map-json"):
        out = io.StringIO()
        assert main(["audit", str(tmp_path), "--format", fmt], out, io.StringIO()) == 0
        outs[fmt] = out.getvalue()
    graph = json.loads(outs["map-json"])
    mermaid_ids = {m.group(1) for line in outs["mermaid"].splitlines() if (m := _NODE.match(line))}
    assert {n["id"] for n in graph["nodes"]} == mermaid_ids
    dot = outs["dot"].splitlines()
    assert dot[0] == "digraph services {" and dot[-1] == "}"
    dot_edges = {tuple(line.split(" [")[0].strip(" ;").split(" -> ")) for line in dot if " -> " in line}
    assert dot_edges == {(e["source"], e["target"]) for e in graph["edges"]}
    assert {n["kind"] for n in graph["nodes"]} == {"service", "datastore", "broker", "cache"}
    assert any(e["problem"] and e["kind"] == "call" for e in graph["edges"])
    assert '[label="orders.api\\n' in outs["dot"]


TRAEFIK = """\
services:
  proxy:
    image: traefik:3.6
    command: ["--providers.docker", "--providers.docker.exposedbydefault=false"]
  db:
    image: postgres:18
  adminer:
    image: adminer
    depends_on: [db]
    labels:
      - traefik.enable=true
      - traefik.http.routers.adminer.rule=Host(`adminer.localhost`)
  backend:
    build: ./backend
    depends_on:
      db: {condition: service_healthy}
    environment:
      DATABASE_URL: postgresql://app@db:5432/app
      SMTP_HOST: mailpit
      FRONTEND_HOST: http://localhost:5173
    labels:
      traefik.enable: "true"
      traefik.http.services.backend.loadbalancer.server.port: "8000"
  mailpit:
    image: axllent/mailpit
  worker:
    build: ./worker
    depends_on: [db, backend]
    labels:
      traefik.enable: "false"
      traefik.http.routers.worker.rule: Host(`worker.localhost`)
"""


def _lines(files: dict[str, str]) -> list[str]:
    lines = render_service_map(Project.load(DictSource(files))).splitlines()
    assert [line for line in lines[1:] if not any(g.match(line) for g in _GRAMMAR)] == []
    return lines


def test_a_docker_proxy_routes_to_the_services_that_opt_in_and_a_db_tool_reaches_its_database():
    files = {"docker-compose.yml": TRAEFIK, "backend/Dockerfile": "FROM python:3.12-slim\n", "backend/main.py": APP,
             "worker/Dockerfile": "FROM python:3.12-slim\n", "worker/main.py": "import time\n"}
    lines = _lines(files)
    assert "  svc_proxy -->|routes| svc_adminer" in lines  # list-form labels
    assert "  svc_proxy -->|routes| svc_backend" in lines  # map-form labels
    assert not any("svc_proxy -->|routes| svc_worker" in line for line in lines)  # traefik.enable=false
    assert "  svc_adminer --> db_db_5432_app" in lines  # depends_on a database, no DSN of its own
    assert "  svc_backend --> db_db_5432_app" in lines
    assert "  svc_backend --> svc_mailpit" in lines  # SMTP_HOST: a call, but not an HTTP one
    assert "  svc_worker --> db_db_5432_app" in lines and not any("svc_worker --> svc_backend" in x for x in lines)
    assert sum(line.startswith("  svc_adminer --> db_") for line in lines) == 1


def _deployment(name: str, env: dict[str, str] | None = None) -> str:
    lines = "".join(f'\n            - {{name: {k}, value: "{v}"}}' for k, v in (env or {}).items())
    return (f"---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}}}\nspec:\n"
            f"  selector: {{matchLabels: {{app: {name}}}}}\n  template:\n    metadata: {{labels: {{app: {name}}}}}\n"
            f"    spec:\n      containers:\n        - name: server\n          image: ghcr.io/acme/{name}:1.0\n"
            + (f"          env:{lines}\n" if lines else ""))


def _k8s_service(name: str, port: int, port_name: str | None = None, app_protocol: str | None = None,
                 env: dict[str, str] | None = None) -> str:
    extra = (f", name: {port_name}" if port_name else "") + (f", appProtocol: {app_protocol}" if app_protocol else "")
    return (f"{_deployment(name, env)}---\napiVersion: v1\nkind: Service\nmetadata: {{name: {name}}}\nspec:\n"
            f"  selector: {{app: {name}}}\n  ports:\n    - {{port: {port}{extra}}}\n")


def test_calls_between_kubernetes_services_are_labelled_by_the_protocol_their_ports_declare():
    calls = {"CART_SERVICE_ADDR": "cart:7070", "ADS_ADDR": "ads:9555", "LEGACY_ADDR": "legacy:6000"}
    manifests = (_deployment("loadgen", {"FRONTEND_ADDR": "frontend:80", "OTEL_COLLECTOR_ADDR": "collector:4317"})
                 + _k8s_service("frontend", 80, "http", env=calls) + _k8s_service("cart", 7070, "grpc")
                 + _k8s_service("ads", 9555, app_protocol="kubernetes.io/grpc") + _k8s_service("legacy", 6000, "tcp")
                 + _k8s_service("collector", 4317, "grpc-otlp"))
    lines = _lines({"k8s/app.yaml": manifests})
    assert "  svc_frontend -->|gRPC| svc_cart" in lines  # port named grpc
    assert "  svc_frontend -->|gRPC| svc_ads" in lines  # appProtocol
    assert "  svc_frontend --> svc_legacy" in lines  # a bare host:port on a tcp port: a call, protocol unknown
    assert "  svc_loadgen -->|HTTP| svc_frontend" in lines  # FRONTEND_ADDR is an address, not a browser URL
    assert not any("svc_collector" in line and "-->" in line for line in lines)  # telemetry export is not a call
