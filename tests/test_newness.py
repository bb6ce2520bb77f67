"""A review says what the change introduces: identity across renames and line shifts, project
findings by their subject, the fallback to added lines, audit-only rules, and the cross-file gate."""

import io
import json
import subprocess
import textwrap
from pathlib import Path

from reviewer.cli import main
from reviewer.config import Config, load_config_text
from reviewer.diff import parse_unified_diff
from reviewer.engine import review_change
from reviewer.newness import Comparison, model_inputs_changed
from reviewer.project import Project
from reviewer.workspace.files import DictSource

CLIENT = textwrap.dedent("""\
    import requests


    def fetch(url):
        return requests.get(url)
""")

COMPOSE = textwrap.dedent("""\
    services:
      orders:
        build: ./orders
        restart: unless-stopped
        environment:
          DATABASE_URL: postgresql://shop:${DB_PASSWORD}@db:5432/shop
      billing:
        build: ./billing
        restart: unless-stopped
        environment:
          DATABASE_URL: postgresql://shop:${DB_PASSWORD}@db:5432/shop
      db:
        image: postgres:16.4
        restart: unless-stopped
""")


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), "-c", "user.email=t@example.com", "-c", "user.name=t",
                           "-c", "commit.gpgsign=false", *args], check=True, capture_output=True, text=True).stdout


def write(repo: Path, files: dict[str, str | None]) -> None:
    for path, text in files.items():
        target = repo / path
        if text is None:
            target.unlink()
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)


def repo_with(tmp_path: Path, base: dict[str, str | None], head: dict[str, str | None]) -> Path:
    git(tmp_path, "init", "-q", "-b", "main")
    write(tmp_path, base)
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "base")
    write(tmp_path, head)
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "head")
    return tmp_path


def review_json(repo: Path, *extra: str) -> dict:
    out, err = io.StringIO(), io.StringIO()
    code = main(["review", "--repo", str(repo), "--base", "HEAD~1", "--head", "HEAD", "--format", "json", *extra],
                out, err)
    assert code == 0, err.getvalue()
    return json.loads(out.getvalue())


def rules_at(data: dict) -> list[tuple[str, str, int]]:
    return [(f["rule"], f["path"], f["line"]) for f in data["findings"]]


def test_a_renamed_file_with_shifted_lines_brings_no_new_finding(tmp_path):
    moved = "\n\n# the client of the rates service\n\n" + CLIENT
    repo = repo_with(tmp_path, {"svc/client.py": CLIENT}, {"svc/client.py": None, "svc/rates_client.py": moved})
    data = review_json(repo)
    assert data["findings"] == []
    assert data["pre_existing"] == 1
    assert data["comparison"] == Comparison.BASE


def test_a_call_the_change_adds_is_new_and_the_old_one_is_counted(tmp_path):
    head = CLIENT + "\n\ndef send(url, body):\n    return requests.post(url, json=body)\n"
    repo = repo_with(tmp_path, {"svc/client.py": CLIENT}, {"svc/client.py": head})
    data = review_json(repo)
    assert rules_at(data) == [("http-call-without-timeout", "svc/client.py", 9)]
    assert data["pre_existing"] == 1
    listed = review_json(repo, "--all")
    assert sorted(rules_at(listed)) == [("http-call-without-timeout", "svc/client.py", 5),
                                        ("http-call-without-timeout", "svc/client.py", 9)]
    assert listed["pre_existing"] == 0


def test_editing_the_flagged_line_does_not_make_its_old_problem_new(tmp_path):
    repo = repo_with(tmp_path, {"svc/client.py": CLIENT},
                     {"svc/client.py": CLIENT.replace("requests.get(url)", "requests.get(url, params={'v': 2})")})
    assert review_json(repo)["findings"] == []


def test_a_shared_database_that_was_there_is_not_new_but_a_new_sharer_is(tmp_path):
    bumped = COMPOSE.replace("postgres:16.4", "postgres:16.6")
    repo = repo_with(tmp_path, {"docker-compose.yml": COMPOSE}, {"docker-compose.yml": bumped})
    assert review_json(repo)["findings"] == []

    third = bumped + ("  reporting:\n    build: ./reporting\n    restart: unless-stopped\n    environment:\n"
                      "      DATABASE_URL: postgresql://shop:${DB_PASSWORD}@db:5432/shop\n")
    write(repo, {"docker-compose.yml": third})
    git(repo, "commit", "-qam", "reporting reads the shop database")
    new = [r for r in rules_at(review_json(repo)) if r[0] == "boundary-shared-database"]
    assert new and all(path == "docker-compose.yml" for _, path, _ in new)


def _change(old: str, new: str, path: str) -> str:
    import difflib

    lines = difflib.unified_diff(old.splitlines(True), new.splitlines(True), f"a/{path}", f"b/{path}")
    return f"diff --git a/{path} b/{path}\n" + "".join(lines)


def test_without_a_base_only_findings_on_added_lines_count():
    head = CLIENT + "\n\ndef send(url):\n    return requests.post(url)\n"
    changes = parse_unified_diff(_change(CLIENT, head, "svc/client.py"))
    report, _ = review_change(changes, DictSource({"svc/client.py": head}), Config())
    assert [(f.rule_id, f.line) for f in report.findings] == [("http-call-without-timeout", 9)]
    assert [(f.rule_id, f.line) for f in report.pre_existing] == [("http-call-without-timeout", 5)]
    assert report.comparison == Comparison.ADDED_LINES


def test_without_a_base_audit_only_rules_speak_only_in_added_files():
    compose = "services:\n  api:\n    image: ghcr.io/acme/api:1.2.3\n"
    edited = "services:\n  api:\n    image: ghcr.io/acme/api:1.2.4\n"
    changes = parse_unified_diff(_change(compose, edited, "docker-compose.yml"))
    report, _ = review_change(changes, DictSource({"docker-compose.yml": edited}), Config())
    assert "compose-no-restart-policy" not in {f.rule_id for f in report.findings}
    assert "compose-no-restart-policy" in {f.rule_id for f in report.pre_existing}

    added = parse_unified_diff(_change("", edited, "docker-compose.yml").replace(
        "--- a/docker-compose.yml", "new file mode 100644\n--- /dev/null"))
    report, _ = review_change(added, DictSource({"docker-compose.yml": edited}), Config())
    assert "compose-no-restart-policy" in {f.rule_id for f in report.findings}


def test_the_config_moves_a_rule_and_lists_what_was_there():
    known = {"compose-no-restart-policy"}
    cfg = load_config_text("rules:\n  compose-no-restart-policy: {speaks: both}\nreview:\n  pre-existing: list\n",
                           "x.yml", known)
    assert cfg.speaks == {"compose-no-restart-policy": "both"} and cfg.list_pre_existing
    compose = "services:\n  api:\n    image: ghcr.io/acme/api:1.2.3\n"
    edited = compose + "  worker:\n    image: ghcr.io/acme/worker:1.0.0\n"
    changes = parse_unified_diff(_change(compose, edited, "docker-compose.yml"))
    report, _ = review_change(changes, DictSource({"docker-compose.yml": edited}), cfg)
    assert [f.line for f in report.findings if f.rule_id == "compose-no-restart-policy"] == [4]


def _project(files: dict[str, str]) -> Project:
    return Project.load(DictSource(dict(files)))


def test_the_cross_file_rules_wait_for_a_change_that_can_move_the_service_model():
    app = "from fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.get('/items')\ndef items():\n    return []\n"
    cases = {
        "a comment": (app, "# the items API\n" + app, False),
        "a docstring": (app, app.replace("    return []", '    """All items."""\n    return []'), False),
        "a log line": (app, app.replace("    return []", "    logger.info('items')\n    return []"), False),
        "a new route": (app, app + "\n\n@app.get('/health')\ndef health():\n    return {}\n", True),
        "a URL literal": (app, app.replace("return []", "return httpx.get('http://billing:8000/x')"), True),
        "a new import": (app, "import billing.models\n" + app, True),
        "a call retargeted to another route": (
            app.replace("return []", 'return client.get(f"{BILLING}/invoices").json()'),
            app.replace("return []", 'return client.get(f"{BILLING}/refunds").json()'), True),
        "an error message reworded": (app.replace("return []", 'raise ValueError("no items")'),
                                      app.replace("return []", 'raise ValueError("nothing here")'), False),
    }
    for name, (old, new, moved) in cases.items():
        changes = parse_unified_diff(_change(old, new, "svc/app.py"))
        got = model_inputs_changed(changes, _project({"svc/app.py": new}), _project({"svc/app.py": old}))
        assert got is moved, name
    test_change = parse_unified_diff(_change("def test_x():\n    pass\n", "def test_x():\n    assert 1\n",
                                             "tests/test_x.py"))
    assert not model_inputs_changed(test_change, _project({"tests/test_x.py": "def test_x():\n    assert 1\n"}),
                                    _project({"tests/test_x.py": "def test_x():\n    pass\n"}))
    compose = parse_unified_diff(_change("services: {}\n", "services:\n  a:\n    image: x:1\n", "compose.yml"))
    assert model_inputs_changed(compose, _project({"compose.yml": "services:\n  a:\n    image: x:1\n"}),
                                _project({"compose.yml": "services: {}\n"}))


def test_a_new_shared_database_through_a_python_literal_opens_the_gate(tmp_path):
    orders = "from sqlalchemy import create_engine\n\nengine = create_engine('postgresql://u@db:5432/shop')\n"
    billing_old = "from sqlalchemy import create_engine\n\nengine = create_engine('postgresql://u@db:5432/billing')\n"
    compose = "services:\n  orders:\n    build: ./orders\n  billing:\n    build: ./billing\n"
    base = {"docker-compose.yml": compose, "orders/Dockerfile": "FROM python:3.12-slim\n",
            "billing/Dockerfile": "FROM python:3.12-slim\n", "orders/db.py": orders, "billing/db.py": billing_old,
            "orders/main.py": "x = 1\n", "billing/main.py": "x = 1\n"}
    repo = repo_with(tmp_path, base, {"billing/db.py": billing_old.replace("/billing'", "/shop'")})
    assert "boundary-shared-database" in {r[0] for r in rules_at(review_json(repo))}


def test_the_api_rules_wait_for_a_change_of_the_api_surface():
    from reviewer.newness import api_changed

    app = ("from fastapi import FastAPI\nfrom pydantic import BaseModel\n\napp = FastAPI()\n\n\n"
           "class Item(BaseModel):\n    id: int\n\n\n@app.get('/items')\ndef items() -> list[Item]:\n    return []\n")
    cases = {
        "a handler body": (app.replace("return []", "return load()"), False),
        "a helper without decorators": (app + "\n\ndef load():\n    return []\n", False),
        "a model field": (app.replace("    id: int\n", "    id: int\n    name: str\n"), True),
        "a route path": (app.replace("'/items'", "'/v2/items'"), True),
    }
    for name, (new, moved) in cases.items():
        changes = parse_unified_diff(_change(app, new, "svc/app.py"))
        assert api_changed(changes, _project({"svc/app.py": new}), _project({"svc/app.py": app})) is moved, name


def test_a_dependency_bump_keeps_the_gate_closed_but_a_new_distribution_opens_it():
    old = "redis==5.0.1\nhttpx==0.27.0\n"
    bumped, added = old.replace("5.0.1", "5.0.4"), old + "orders\n"
    for new, moved in ((bumped, False), (added, True)):
        changes = parse_unified_diff(_change(old, new, "svc/requirements.txt"))
        got = model_inputs_changed(changes, _project({"svc/requirements.txt": new}),
                                   _project({"svc/requirements.txt": old}))
        assert got is moved


def test_unread_manifests_are_classified_when_a_cross_file_rule_needs_them(tmp_path):
    deployment = textwrap.dedent("""\
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: orders
        spec:
          selector:
            matchLabels: {app: orders}
          template:
            metadata:
              labels: {app: orders}
            spec:
              containers:
                - name: orders
                  image: ghcr.io/acme/orders:1.0.0
                  env:
                    - name: DATABASE_URL
                      value: postgresql://u@db:5432/shop
    """)
    billing = "from sqlalchemy import create_engine\n\nengine = create_engine('postgresql://u@db:5432/billing')\n"
    base = {"k8s/orders.yaml": deployment, "orders/Dockerfile": "FROM python:3.12-slim\n", "orders/main.py": "x = 1\n",
            "billing/Dockerfile": "FROM python:3.12-slim\n", "billing/db.py": billing}
    repo = repo_with(tmp_path, base, {"billing/db.py": billing.replace("/billing'", "/shop'")})
    assert "boundary-shared-database" in {r[0] for r in rules_at(review_json(repo))}


def test_a_call_moved_to_another_port_is_a_new_subject_and_a_moved_line_reference_is_not():
    from reviewer.model import Category, Finding, Severity
    from reviewer.newness import subject

    def f(title: str) -> Finding:
        return Finding("boundary-call-cycle", Severity.WARNING, Category.BOUNDARIES, "a.py", 1, title, "", "")

    assert subject(f("`orders` calls `billing` at orders/app.py:12")) == \
        subject(f("`orders` calls `billing` at orders/app.py:40"))
    assert subject(f("calls `http://billing:8000/pay`")) != subject(f("calls `http://billing:9000/pay`"))


def test_a_call_retargeted_to_another_route_is_judged_again_and_its_new_chain_said(tmp_path):
    compose = ("services:\n  orders:\n    build: ./orders\n    environment:\n      BILLING_URL: http://billing:8000\n"
               "  billing:\n    build: ./billing\n    environment:\n      INVENTORY_URL: http://inventory:8000\n"
               "  inventory:\n    build: ./inventory\n")

    def app(var: str = "") -> str:
        setting = f'{var} = os.environ["{var}"]\n' if var else ""
        return (f"import os\n\nimport httpx\nfrom fastapi import FastAPI\n\n{setting}app = FastAPI()\n"
                "client = httpx.AsyncClient(timeout=5.0)\n")

    orders = app("BILLING_URL") + ('\n\n@app.post("/orders")\nasync def create() -> dict:\n'
                                   '    return (await client.post(f"{BILLING_URL}/ping")).json()\n')
    billing = app("INVENTORY_URL") + ('\n\n@app.post("/ping")\nasync def ping() -> dict:\n    return {}\n'
                                      '\n\n@app.post("/charge")\nasync def charge() -> dict:\n'
                                      '    return (await client.get(f"{INVENTORY_URL}/stock")).json()\n')
    base = {"docker-compose.yml": compose, **{f"{s}/Dockerfile": "FROM python:3.12-slim\n"
                                              for s in ("orders", "billing", "inventory")},
            "orders/main.py": orders, "billing/main.py": billing, "inventory/main.py": app()}
    repo = repo_with(tmp_path, base, {"orders/main.py": orders.replace("/ping", "/charge")})
    assert [r[:2] for r in rules_at(review_json(repo))] == [("boundary-sync-call-chain", "orders/main.py")]
