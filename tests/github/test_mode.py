"""Event + input mode -> job: one decision function, one table."""

from __future__ import annotations

import pytest

from reviewer.errors import UsageError
from reviewer.github.event import Event, Mode, decide, trigger_command

PR = {"action": "opened", "number": 3, "pull_request": {"number": 3}}


def comment(body: str, action: str = "created", on_pr: bool = True) -> dict:
    issue: dict = {"number": 3}
    if on_pr:
        issue["pull_request"] = {"url": "x"}
    return {"action": action, "issue": issue, "comment": {"id": 1, "body": body, "user": {"login": "a"}}}


@pytest.mark.parametrize(("event", "payload", "mode", "expected"), [
    ("pull_request", PR, "auto", Mode.REVIEW),
    ("pull_request", dict(PR, action="synchronize"), "auto", Mode.REVIEW),
    ("pull_request", dict(PR, action="reopened"), "auto", Mode.REVIEW),
    ("pull_request", dict(PR, action="ready_for_review"), "auto", Mode.REVIEW),
    ("pull_request", dict(PR, action="closed"), "auto", Mode.SKIP),
    ("pull_request", dict(PR, action="labeled"), "auto", Mode.SKIP),
    ("pull_request", dict(PR, action="labeled"), "review", Mode.REVIEW),
    ("pull_request_target", PR, "auto", Mode.REVIEW),
    ("pull_request", PR, "audit", Mode.AUDIT),
    ("issue_comment", comment("/arch-review"), "auto", Mode.COMMENT_TRIGGER),
    ("issue_comment", comment("  /arch-review help"), "auto", Mode.COMMENT_TRIGGER),
    ("issue_comment", comment("/arch-review", action="edited"), "auto", Mode.SKIP),
    ("issue_comment", comment("/arch-review", on_pr=False), "auto", Mode.SKIP),
    ("issue_comment", comment("please /arch-review"), "auto", Mode.SKIP),
    ("issue_comment", comment("/arch-reviewer"), "auto", Mode.SKIP),
    ("schedule", {}, "auto", Mode.AUDIT),
    ("workflow_dispatch", {}, "auto", Mode.AUDIT),
    ("workflow_dispatch", {}, "audit", Mode.AUDIT),
    ("push", {}, "auto", Mode.SKIP),
    ("push", {}, "audit", Mode.AUDIT),
])
def test_decide(event: str, payload: dict, mode: str, expected: Mode) -> None:
    assert decide(Event.from_payload(event, payload), mode, "/arch-review")[0] is expected


@pytest.mark.parametrize(("event", "mode"), [("schedule", "review"), ("push", "review"), ("pull_request", "fast")])
def test_impossible_combinations_are_usage_errors(event: str, mode: str) -> None:
    with pytest.raises(UsageError):
        decide(Event.from_payload(event, PR if event == "pull_request" else {}), mode, "/arch-review")


def test_trigger_command() -> None:
    assert trigger_command("/arch-review", "/arch-review") == ""
    assert trigger_command("/arch-review help\nmore", "/arch-review") == "help"
    assert trigger_command("/arch-reviewer", "/arch-review") is None
    assert trigger_command("/review", "/review") == ""
