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

_NODE = re.compile(r"^  ([A-Za-z0-9_]+)(\[\(|\[|\{\{)")
_EDGE = re.compile(r"^  ([A-Za-z0-9_]+) (-->|-\.->|-->\|HTTP\|) ([A-Za-z0-9_]+)$")


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
