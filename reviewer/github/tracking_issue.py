"""The audit's ONE open tracking issue: found by its hidden marker, created once, edited in place,
closed when everything is fixed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import islice

from github.Issue import Issue
from github.Repository import Repository

from reviewer.github.client import calling, written_by_us
from reviewer.model import Finding
from reviewer.render.markdown import (
    TRACKING_MARKER,
    Links,
    all_fixed_body,
    audit_delta,
    tracking_body,
    unpack_tracked,
)

LABEL = "arch-review"
TITLE = "arch-review: architecture findings"
# When the label was removed by hand, look for the marker in this many recent open issues.
SCAN_UNLABELLED = 300


@dataclass(frozen=True)
class TrackingResult:
    action: str  # created | updated | closed | none
    url: str | None = None
    new: int = 0
    fixed: int = 0


def find_tracking_issue(repo: Repository, login: str | None = None) -> Issue | None:
    """Our open tracking issue: the marker in an issue we opened (anyone can paste a marker, and we
    must not rewrite a person's issue)."""
    def ours(issue: Issue) -> bool:
        return (issue.pull_request is None and TRACKING_MARKER in (issue.body or "")
                and written_by_us(issue.user, login))

    with calling("list the open arch-review issues"):
        for issue in repo.get_issues(state="open", labels=[LABEL]):
            if ours(issue):
                return issue
        for issue in islice(repo.get_issues(state="open"), SCAN_UNLABELLED):
            if ours(issue):
                return issue
    return None


def sync_tracking_issue(repo: Repository, findings: Sequence[Finding], links: Links | None, run_url: str | None,
                        service_roots: Sequence[str] = (), service_map: str | None = None,
                        login: str | None = None) -> TrackingResult:
    issue = find_tracking_issue(repo, login)
    previous = unpack_tracked(issue.body) if issue is not None else None
    delta = audit_delta(findings, previous)
    if not findings:
        if issue is None:
            return TrackingResult("none")
        with calling(f"close tracking issue #{issue.number}"):
            issue.edit(body=all_fixed_body(len(previous or ()), links, run_url), state="closed",
                       state_reason="completed")
        return TrackingResult("closed", issue.html_url, 0, delta.fixed)
    body = tracking_body(findings, delta, links, run_url, service_roots, service_map)
    if issue is None:
        with calling("open the tracking issue"):
            created = repo.create_issue(title=TITLE, body=body, labels=[LABEL])
        return TrackingResult("created", created.html_url, delta.new, 0)
    with calling(f"update tracking issue #{issue.number}"):
        issue.edit(body=body)
    return TrackingResult("updated", issue.html_url, delta.new, delta.fixed)
