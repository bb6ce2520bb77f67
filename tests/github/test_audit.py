"""schedule / workflow_dispatch: audit the workspace and keep ONE tracking issue current."""

from __future__ import annotations

from reviewer.model import Category, Finding, Severity
from reviewer.render.markdown import (
    MAX_BODY_CHARS,
    TRACKING_MARKER,
    AuditDelta,
    Links,
    audit_delta,
    tracking_body,
    unpack_tracked,
)
from tests.github.conftest import APP_HEAD, TOKEN, Scenario, service_repo

RULE = "http-call-without-timeout"
FIXED_APP = APP_HEAD.replace('/stock/{order_id}")', '/stock/{order_id}", timeout=5)')


def audit(scenario: Scenario, files: dict, event: str = "schedule") -> int:
    scenario.workspace(files)
    return scenario.run(scenario.env(event, {"schedule": "0 6 * * 1"} if event == "schedule" else {}))


def open_issues(scenario: Scenario) -> list[dict]:
    return [i for i in scenario.fake.issues.values() if not i.get("is_pull") and i["state"] == "open"]


def test_two_audits_leave_one_issue_edited_in_place(scenario: Scenario, tmp_path) -> None:
    assert audit(scenario, service_repo(APP_HEAD)) == 0
    assert len(open_issues(scenario)) == 1
    issue = open_issues(scenario)[0]
    assert issue["labels"] == ["arch-review"] and TRACKING_MARKER in issue["body"]
    assert f"`{RULE}`" in issue["body"] and "first audit" in issue["body"]

    (tmp_path / "workspace" / "orders" / "app.py").write_text(FIXED_APP)
    assert audit(scenario, {}, "workflow_dispatch") == 0
    assert len(scenario.fake.calls("POST", r"/repos/acme/shop/issues")) == 1
    assert len(scenario.fake.calls("PATCH", r"/repos/acme/shop/issues/\d+")) == 1
    issues = open_issues(scenario)
    assert len(issues) == 1 and issues[0]["number"] == issue["number"]
    assert "**0 new**, **1 fixed** since the last audit" in issues[0]["body"]
    assert f"`{RULE}`" not in issues[0]["body"]
    assert TOKEN not in scenario.stdout + scenario.summary


def test_everything_fixed_closes_the_issue(scenario: Scenario, tmp_path) -> None:
    app_only = {"orders/app.py": APP_HEAD}
    assert audit(scenario, app_only) == 0
    # whatever other rules would say about a fixed file, a tree without the service has no findings
    (tmp_path / "workspace" / "orders" / "app.py").unlink()
    assert audit(scenario, {}) == 0
    issue = next(i for i in scenario.fake.issues.values() if not i.get("is_pull"))
    assert issue["state"] == "closed" and "are fixed" in issue["body"]
    assert open_issues(scenario) == []


def test_no_findings_and_no_issue_creates_nothing(scenario: Scenario) -> None:
    assert audit(scenario, {"README.md": "hello\n"}) == 0
    assert scenario.fake.writes == []


def test_audit_with_a_read_only_token_still_reports(scenario: Scenario) -> None:
    scenario.fake.read_only = True
    assert audit(scenario, service_repo(APP_HEAD)) == 0
    assert f"title=arch-review {RULE}::" in scenario.stdout
    assert "issues: write" in scenario.summary


def _findings(n: int) -> list[Finding]:
    sev = [Severity.ERROR, Severity.WARNING, Severity.INFO]
    return [Finding(rule_id=f"rule-{i % 7}", severity=sev[i % 3], category=Category.RESILIENCE,
                    path=f"svc{i % 9}/module_{i}.py", line=i % 300 + 1, title=f"Finding number {i} with some words",
                    body="why", fix="fix", anchor_text=f"call_{i}()") for i in range(n)]


def test_tracking_body_with_2000_findings_fits_githubs_limit() -> None:
    findings = _findings(2000)
    body = tracking_body(findings, audit_delta(findings, None), Links("https://github.com", "acme/shop", "c" * 40),
                         "https://github.com/acme/shop/actions/runs/1")
    assert len(body) <= MAX_BODY_CHARS
    assert "more findings not shown" in body and "job summary" in body
    assert unpack_tracked(body) == {f.fingerprint()[:8] for f in findings}  # counts stay exact next time


def test_audit_of_2000_findings_posts_an_issue_github_accepts(scenario: Scenario) -> None:
    files = {f"svc{i}/client_{j}.py": "import requests\n\n" + "".join(
        f"def call_{k}():\n    return requests.get('http://svc{i}/x{k}')\n\n" for k in range(100))
        for i in range(4) for j in range(5)}
    assert audit(scenario, files) == 0
    issue = open_issues(scenario)[0]
    assert len(issue["body"]) <= MAX_BODY_CHARS
    assert issue["body"].count(f"`{RULE}`") < 2000 and "more findings not shown" in issue["body"]
    assert scenario.outputs["findings"] == str(len(unpack_tracked(issue["body"]) or ()))


def test_delta_counts_new_and_fixed() -> None:
    old, new = _findings(5), _findings(7)[2:]
    previous = {f.fingerprint()[:8] for f in old}
    assert audit_delta(new, previous) == AuditDelta(new=2, fixed=2, first=False)


def test_an_issue_a_person_opened_with_the_marker_is_never_rewritten(scenario: Scenario) -> None:
    scenario.fake.issues[900] = {"number": 900, "title": "my notes", "body": f"copied {TRACKING_MARKER}",
                                 "state": "open", "labels": ["arch-review"], "user": "mallory"}
    assert audit(scenario, service_repo(APP_HEAD)) == 0
    assert scenario.fake.issues[900]["body"] == f"copied {TRACKING_MARKER}"
    assert not scenario.fake.calls("PATCH", r"/repos/acme/shop/issues/900")
    assert len(scenario.fake.calls("POST", r"/repos/acme/shop/issues")) == 1  # ours, created alongside
