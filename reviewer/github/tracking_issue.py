"""The audit's ONE open tracking issue: found by its hidden marker, created once, edited in place,
closed when everything is fixed. It also lists, per rule, how often people dismissed its PR comments
(a 👎 or a "won't fix" / "false positive" reply), read from the PRs at run time: no state elsewhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import islice

from github.Issue import Issue
from github.Repository import Repository

from reviewer.errors import PublishError
from reviewer.github.client import calling, written_by_us
from reviewer.model import Finding
from reviewer.render.conversation import comment_rules, dismissal_section, is_dismissal
from reviewer.render.markdown import (
    MAX_BODY_CHARS,
    TRACKING_MARKER,
    Links,
    all_fixed_body,
    audit_delta,
    tracking_body,
    unpack_tracked,
)
from reviewer.render.markers import fingerprints_in

LABEL = "arch-review"
TITLE = "arch-review: architecture findings"
# When the label was removed by hand, look for the marker in this many recent open issues.
SCAN_UNLABELLED = 300
DISMISSAL_DAYS = 90  # the PR review comments the dismissal counts look back over
MAX_REVIEW_COMMENTS = 3000  # 30 pages of GET /pulls/comments: the rest of a busy quarter is not read


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


def dismissal_stats(repo: Repository, login: str | None, now: datetime | None = None,
                    days: int = DISMISSAL_DAYS) -> dict[str, tuple[int, int]]:
    """rule -> (comments dismissed, comments posted) over the repository's PR review comments of
    the last ``days`` (GET /repos/{o}/{r}/pulls/comments, newest first, all PRs in one listing)."""
    since = (now or datetime.now(UTC)) - timedelta(days=days)
    ours: dict[int, tuple[tuple[str, ...], bool]] = {}  # comment id -> (rules, dismissed)
    replies = []
    with calling("read the pull request review comments"):
        for c in islice(repo.get_pulls_comments(sort="created", direction="desc", since=since), MAX_REVIEW_COMMENTS):
            if c.in_reply_to_id:
                replies.append(c)
            elif written_by_us(c.user, login) and fingerprints_in(c.body):
                ours[c.id] = (comment_rules(c.body)[0], (c.reactions or {}).get("-1", 0) > 0)
    for r in replies:
        if r.in_reply_to_id in ours and not written_by_us(r.user, login) and is_dismissal(r.body):
            ours[r.in_reply_to_id] = (ours[r.in_reply_to_id][0], True)
    stats: dict[str, tuple[int, int]] = {}
    for rules, dismissed in ours.values():
        for rule in rules:
            d, n = stats.get(rule, (0, 0))
            stats[rule] = (d + dismissed, n + 1)
    return stats


def _dismissals(repo: Repository, login: str | None) -> list[str]:
    try:
        return dismissal_section(dismissal_stats(repo, login), DISMISSAL_DAYS)
    except PublishError:  # the counts are a help for tuning; the issue is the job
        return []


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
    dismissed = "\n".join(_dismissals(repo, login))
    body = tracking_body(findings, delta, links, run_url, service_roots, service_map,
                         limit=MAX_BODY_CHARS - len(dismissed) - 2) + dismissed + ("\n" if dismissed else "")
    if issue is None:
        with calling("open the tracking issue"):
            created = repo.create_issue(title=TITLE, body=body, labels=[LABEL])
        return TrackingResult("created", created.html_url, delta.new, 0)
    with calling(f"update tracking issue #{issue.number}"):
        issue.edit(body=body)
    return TrackingResult("updated", issue.html_url, delta.new, delta.fixed)
