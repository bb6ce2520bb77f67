"""One-click suggestions are applied, not just rendered: every suggestion the rules make on the bad
cases (and on the layouts below) is applied to the file the way GitHub applies it (lines
``line..end_line`` replaced), the tree is reviewed again, and the rule must be quiet there while no
other rule starts to speak there."""

from __future__ import annotations

import textwrap
from collections import Counter
from pathlib import Path

import pytest

from reviewer.config import Config
from reviewer.diff import ChangeSet, FileChange, Hunk
from reviewer.engine import review
from reviewer.model import Finding, Report
from reviewer.project import Project
from reviewer.rules.registry import RuleContext
from reviewer.sources.edits import apply_suggestion
from reviewer.workspace.files import DictSource
from tests.rules.casefiles import case_dirs

# Rules that offer a suggestion on their bad case; the four the review policy names come first.
SUGGESTING = ["http-call-without-timeout", "compose-depends-on-not-healthy", "k8s-termination-grace-too-short",
              "docker-shell-form-entrypoint", "docker-exec-form-shell-wrapper", "docker-dev-server-in-image",
              "compose-no-healthcheck", "compose-no-restart-policy", "compose-literal-secret",
              "compose-datastore-port-published", "compose-healthcheck-tool-missing", "http-timeout-disabled",
              "http-retry-without-backoff", "http-retry-unbounded", "http-retry-non-idempotent",
              "fastapi-blocking-call-in-async", "fastapi-hardcoded-secret", "fastapi-debug-enabled",
              "k8s-single-replica", "k8s-hpa-min-replicas-low", "k8s-missing-memory-limit", "k8s-recreate-strategy",
              "k8s-deprecated-api-version", "grpc-call-without-deadline", "boto3-client-without-timeouts",
              "data-session-not-rolled-back"]


def _tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): p.read_text() for p in sorted(root.rglob("*")) if p.is_file()}


def _review(files: dict[str, str], base: dict[str, str] | None = None) -> Report:
    base_project = Project.load(DictSource(dict(base))) if base is not None else None
    return review(RuleContext(project=Project.load(DictSource(dict(files))), base=base_project), Config())


def _bad(case: Path) -> tuple[dict[str, str], dict[str, str] | None]:
    root = case / "bad"
    if (root / "head").is_dir():
        return _tree(root / "head"), _tree(root / "base") if (root / "base").is_dir() else None
    return _tree(root), None


def _in(findings: list[Finding], path: str, first: int, last: int) -> list[Finding]:
    return [f for f in findings if f.path == path and first <= f.line <= last]


def assert_applies(files: dict[str, str], finding: Finding, before: Report, base: dict[str, str] | None = None) -> str:
    """Apply the finding's suggestion, review again, and check the rule is quiet on the new lines."""
    assert finding.suggestion is not None
    last = finding.end_line or finding.line
    text = apply_suggestion(files[finding.path], finding.line, finding.end_line, finding.suggestion)
    after = _review({**files, finding.path: text}, base)
    new_last = finding.line + len(finding.suggestion.splitlines()) - 1
    there = _in(after.findings, finding.path, finding.line, new_last)
    where = f"{finding.rule_id} at {finding.path}:{finding.line}-{last}"
    assert [f for f in there if f.rule_id == finding.rule_id] == [], f"{where}: the rule still speaks\n{text}"
    others_before = Counter(f.rule_id for f in _in(before.findings, finding.path, finding.line, last))
    others_after = Counter(f.rule_id for f in there)
    assert not others_after - others_before, f"{where}: new findings {others_after - others_before}\n{text}"
    assert not [n for n in after.notes if finding.path in n and n not in before.notes], after.notes
    return text


def _suggestions() -> list[tuple[str, int]]:
    out = []
    for case in case_dirs():
        files, base = _bad(case)
        report = _review(files, base)
        out += [(case.name, i) for i, f in enumerate(report.findings) if f.suggestion is not None]
    return out


SUGGESTIONS = _suggestions()


@pytest.mark.parametrize(("case", "index"), SUGGESTIONS, ids=[f"{c}-{i}" for c, i in SUGGESTIONS])
def test_every_suggestion_on_the_bad_cases_applies_and_quiets_its_rule(case: str, index: int) -> None:
    files, base = _bad(next(c for c in case_dirs() if c.name == case))
    before = _review(files, base)
    assert_applies(files, before.findings[index], before, base)


def test_the_suggesting_rules_suggest_on_their_bad_case() -> None:
    suggesting = {case for case, _ in SUGGESTIONS}
    assert [r for r in SUGGESTING if r not in suggesting] == []


def _one(files: dict[str, str], rule: str) -> tuple[Finding, Report]:
    report = _review(files)
    found = [f for f in report.findings if f.rule_id == rule]
    assert len(found) == 1, found
    return found[0], report


# ---- layouts the bad cases do not show ------------------------------------------------------------

HTTP_CALLS = {
    "trailing comma, ) on its own line": (
        """\
        import requests


        def charge(order_id: int):
            return requests.post(
                "http://billing:8000/charges",
                json={"order": order_id},  # the body
            )
        """, """\
            return requests.post(
                "http://billing:8000/charges",
                json={"order": order_id},  # the body
                timeout=10,
            )"""),
    "no trailing comma, ) on its own line": (
        """\
        import requests


        def charge(order_id: int):
            return requests.post(
                "http://billing:8000/charges",
                json={"order": order_id}
            )
        """, """\
            return requests.post(
                "http://billing:8000/charges",
                json={"order": order_id},
                timeout=10
            )"""),
    "hanging indent, ) after the last argument": (
        """\
        import requests


        def charge(order_id: int):
            return requests.post("http://billing:8000/charges",
                                 json={"order": order_id}).json()
        """, """\
            return requests.post("http://billing:8000/charges",
                                 json={"order": order_id}, timeout=10).json()"""),
    "aiohttp session without arguments": (
        """\
        import aiohttp


        async def fetch(url: str) -> bytes:
            async with aiohttp.ClientSession() as s, s.get(url) as r:
                return await r.read()
        """, """\
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as s, s.get(url) as r:"""),
}


@pytest.mark.parametrize("layout", list(HTTP_CALLS))
def test_timeout_is_added_to_the_call_as_written(layout: str) -> None:
    source, expected = HTTP_CALLS[layout]
    files = {"app.py": textwrap.dedent(source)}
    finding, report = _one(files, "http-call-without-timeout")
    assert finding.suggestion == textwrap.indent(textwrap.dedent(expected), "    ")  # the function body's indent
    assert_applies(files, finding, report)


COMPOSE = """\
services:
  api:
    build: ./api
    depends_on: [db, worker, cache]  # flow style
  worker:
    build: ./worker
    depends_on:
      - worker-init
      - db
  worker-init:
    image: busybox:1.36
  db:
    image: postgres:16.3
  cache:
    image: redis:7.2
"""


def test_a_flow_list_becomes_long_form_with_each_dependency_condition() -> None:
    report = _review({"docker-compose.yml": COMPOSE})
    api = [f for f in report.findings if f.rule_id == "compose-depends-on-not-healthy" and f.line == 4]
    assert len(api) == 1 and api[0].suggestion == textwrap.indent(textwrap.dedent("""\
            depends_on:  # flow style
              db:
                condition: service_healthy
              worker:
                condition: service_started
              cache:
                condition: service_healthy"""), "    ")  # one finding a line: both waits in one suggestion
    assert_applies({"docker-compose.yml": COMPOSE}, api[0], report)


def test_a_block_list_is_rewritten_only_from_its_first_item() -> None:
    report = _review({"docker-compose.yml": COMPOSE})
    (worker,) = [f for f in report.findings if f.rule_id == "compose-depends-on-not-healthy" and f.line == 9]
    assert worker.suggestion is None and not worker.fix_is_example
    assert worker.fix == "worker:\n  depends_on:\n    db:\n      condition: service_healthy"


DOCKERFILES = {
    "continuation lines become one exec-form line": (
        "FROM python:3.12-slim\nUSER 10001\nCMD uvicorn app.main:app \\\n    --host 0.0.0.0 --port 8000\n",
        'CMD ["uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "8000"]', 4),
    "a chain hands PID 1 over with exec": (
        "FROM python:3.12-slim\nUSER 10001\nCMD alembic upgrade head && uvicorn app.main:app --host 0.0.0.0\n",
        "CMD alembic upgrade head && exec uvicorn app.main:app --host 0.0.0.0", None),
}


@pytest.mark.parametrize("layout", list(DOCKERFILES))
def test_shell_form_commands(layout: str) -> None:
    source, expected, end = DOCKERFILES[layout]
    files = {"Dockerfile": source}
    finding, report = _one(files, "docker-shell-form-entrypoint")
    assert (finding.suggestion, finding.end_line) == (expected, end)
    assert_applies(files, finding, report)


def test_a_helm_template_line_gets_no_suggestion() -> None:
    deployment = textwrap.dedent("""\
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: {{ .Release.Name }}
        spec:
          selector:
            matchLabels: {app: api}
          template:
            metadata:
              labels: {app: api}
            spec:
              terminationGracePeriodSeconds: 1  # {{ .Values.note }}
              containers:
                - name: api
                  image: ghcr.io/acme/api:1.0.0
        ---
        apiVersion: v1
        kind: Service
        metadata:
          name: api
        spec:
          selector: {app: api}
          ports: [{port: 80}]
        """)
    chart = {"charts/api/Chart.yaml": "apiVersion: v2\nname: api\nversion: 0.1.0\n",
             "charts/api/templates/deployment.yaml": deployment}
    (grace,) = [f for f in _review(chart).findings if f.rule_id == "k8s-termination-grace-too-short"]
    assert grace.suggestion is None and "terminationGracePeriodSeconds: 30" in grace.fix
    plain = {"k8s/api.yaml": deployment.replace("{{ .Release.Name }}", "api").replace("  # {{ .Values.note }}", "")}
    (grace,) = [f for f in _review(plain).findings if f.rule_id == "k8s-termination-grace-too-short"]
    assert grace.suggestion == "      terminationGracePeriodSeconds: 30"


CALL = "import requests\n\n\ndef go():\n    return requests.get(\n        'http://x:8000/y',\n    )\n"


@pytest.mark.parametrize(("visible", "kept"), [({5, 6, 7}, True), ({5}, False)])
def test_in_a_review_a_range_outside_one_hunk_loses_its_suggestion(visible: set[int], kept: bool) -> None:
    project = Project.load(DictSource({"app.py": CALL}))
    change = FileChange("app.py", hunks=[Hunk(5, 1, frozenset({5}), frozenset(visible))])
    ctx = RuleContext(project=project, changes=ChangeSet({"app.py": change}), targets=frozenset({"app.py"}))
    (finding,) = [f for f in review(ctx, Config()).findings if f.rule_id == "http-call-without-timeout"]
    assert (finding.line, finding.end_line) == (5, 7)
    assert (finding.suggestion is not None) is kept
