"""The change to the architecture, drawn in the review body: only when the service graph changed."""

from __future__ import annotations

from reviewer.project import Project
from reviewer.render.service_change import service_change
from reviewer.services.build import build_service_model
from reviewer.workspace.files import DictSource
from tests.github.conftest import APP_BASE, Scenario

COMPOSE = '''services:
  orders:
    build: ./orders
    environment:
      DATABASE_URL: postgresql://orders@orders-db:5432/orders
  orders-db:
    image: postgres:16.4
'''
BILLING = '''  billing:
    build: ./billing
    environment:
      ORDERS_URL: http://orders:8000
      DATABASE_URL: postgresql://billing@orders-db:5432/orders
'''


def tree(compose: str, services: tuple[str, ...] = ("orders",)) -> dict[str, str | bytes]:
    files: dict[str, str | bytes] = {"docker-compose.yml": compose}
    for name in services:
        files[f"{name}/Dockerfile"] = "FROM python:3.12-slim\nCOPY . /app\n"
        files[f"{name}/app.py"] = APP_BASE
    return files


def model(files: dict[str, str | bytes]):
    return build_service_model(Project.load(DictSource(files)))


def test_a_new_service_calling_another_is_drawn_with_one_sentence() -> None:
    drawn = service_change(model(tree(COMPOSE)), model(tree(COMPOSE + BILLING, ("orders", "billing"))))
    assert drawn is not None
    assert drawn.sentence == ("`billing` (a new service) now calls `orders` synchronously and connects to "
                              "`orders-db:5432/orders`.")
    lines = drawn.mermaid.splitlines()
    assert lines[0] == "flowchart LR" and '  svc_billing["billing"]:::added' in lines
    assert "  svc_billing -->|HTTP| svc_orders" in lines
    added = next(line for line in lines if line.startswith("  linkStyle ") and "2ca02c" in line)
    edges = [line for line in lines if " --> " in line or " -->|HTTP| " in line]
    assert sorted(edges[int(i)] for i in added.split()[1].split(",")) == [
        "  svc_billing --> db_orders_db_5432_orders", "  svc_billing -->|HTTP| svc_orders"]


def test_a_removed_call_is_drawn_red_and_said() -> None:
    drawn = service_change(model(tree(COMPOSE + BILLING, ("orders", "billing"))),
                           model(tree(COMPOSE + BILLING.replace("      ORDERS_URL: http://orders:8000\n", ""),
                                      ("orders", "billing"))))
    assert drawn is not None and drawn.sentence == "`billing` no longer calls `orders`."
    assert any("d62728" in line for line in drawn.mermaid.splitlines() if line.startswith("  linkStyle"))


def test_the_change_reads_the_audit_map_a_grpc_call_and_a_proxy_route_drawn_as_such() -> None:
    proxy = "  proxy:\n    image: traefik:3.6\n"
    grpc = BILLING.replace("ORDERS_URL: http://orders:8000", "ORDERS_GRPC_ADDR: orders:50051") + (
        "    labels: [traefik.enable=true]\n")
    drawn = service_change(model(tree(COMPOSE + proxy)), model(tree(COMPOSE + proxy + grpc, ("orders", "billing"))))
    assert drawn is not None
    assert drawn.sentence == ("`billing` (a new service) now calls `orders` synchronously and connects to "
                              "`orders-db:5432/orders`; `proxy` routes to `billing`.")
    lines = drawn.mermaid.splitlines()
    assert "  svc_billing -->|gRPC| svc_orders" in lines and "  svc_proxy -->|routes| svc_billing" in lines
    removed = service_change(model(tree(COMPOSE + proxy + grpc, ("orders", "billing"))),
                             model(tree(COMPOSE + proxy + grpc.replace("ORDERS_GRPC_ADDR: orders:50051\n      ", ""),
                                        ("orders", "billing"))))
    assert removed is not None and "  svc_billing -.->|gRPC, removed| svc_orders" in removed.mermaid.splitlines()


def test_no_drawing_when_the_graph_did_not_change() -> None:
    same = tree(COMPOSE + BILLING, ("orders", "billing"))
    moved = dict(same, **{"docker-compose.yml": COMPOSE + BILLING.replace("orders:8000", "orders:8000/")})
    assert service_change(model(same), model(moved)) is None


def test_the_review_body_carries_the_diagram_once(scenario: Scenario) -> None:
    scenario.open_pr(tree(COMPOSE), tree(COMPOSE + BILLING, ("orders", "billing")))
    assert scenario.run(scenario.pr_env()) == 0
    body = scenario.review_posts()[0].body["body"]
    assert "**Service map change.** `billing` (a new service) now calls `orders` synchronously" in body
    assert "```mermaid\nflowchart LR\n" in body and "<!-- arch-review:graph=" in body

    assert scenario.run(scenario.pr_env()) == 0
    assert len(scenario.review_posts()) == 1  # drawn once: the marker remembers it


def test_a_pr_that_leaves_the_graph_alone_has_no_diagram(scenario: Scenario) -> None:
    base = tree(COMPOSE + BILLING, ("orders", "billing"))
    head = dict(base, **{"billing/app.py": APP_BASE + '\n\n@app.get("/orders/{order_id}")\n'
                                                       'def get_order(order_id: int) -> dict[str, int]:\n'
                                                       '    return {"id": order_id}\n'})
    scenario.open_pr(base, head)
    assert scenario.run(scenario.pr_env()) == 0
    assert all("```mermaid" not in p.body["body"] for p in scenario.review_posts())


def test_a_graph_change_with_no_new_finding_still_gets_its_diagram(scenario: Scenario) -> None:
    base = tree(COMPOSE + BILLING, ("orders", "billing"))
    head = dict(base, **{"docker-compose.yml": COMPOSE + BILLING.replace("      ORDERS_URL: http://orders:8000\n", "")})
    scenario.open_pr(base, head)
    assert scenario.run(scenario.pr_env()) == 0
    [post] = scenario.review_posts()
    assert post.body["comments"] == []
    assert "**Service map change.** `billing` no longer calls `orders`." in post.body["body"]


def test_the_same_database_read_from_a_dsn_instead_of_a_host_variable_is_no_change() -> None:
    base = COMPOSE.replace("DATABASE_URL: postgresql://orders@orders-db:5432/orders", "POSTGRES_SERVER: orders-db")
    assert service_change(model(tree(base)), model(tree(COMPOSE))) is None
