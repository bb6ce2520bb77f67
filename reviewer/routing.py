"""Annotate, then route; never drop. Each problem (one or more findings: reviewer/grouping.py)
learns whether its line can carry an inline comment in the PR diff, then goes inline, to a
file-level list, to the review body, or, below the inline severity, to the body's Notes.

    plan_review(findings, changes, placement, seen)
        = what an earlier run posted (EARLIER) + route_problems(group_findings(the rest))
"""

from __future__ import annotations

from collections.abc import Container, Iterable
from dataclasses import dataclass
from enum import StrEnum

from reviewer.diff import ChangeSet
from reviewer.grouping import Problem, group_findings
from reviewer.model import Finding, Severity

# GitHub: "Make no more than 80 content-generating requests per minute" and review comments
# notify everyone watching the PR; a review bot that buries a PR in comments gets muted.
# The user's cap (input max-comments, default 20) applies below this hard ceiling.
HARD_MAX_INLINE = 50
DEFAULT_MIN_INLINE = Severity.WARNING  # config comments.min-inline-severity


class Route(StrEnum):
    INLINE = "inline"  # a review comment on the line (RIGHT side, inside a hunk)
    FILE = "file"  # in a changed file but outside the hunks: listed per file in the review body
    BODY = "body"  # over the inline cap, or not in a changed file: <details> in the review body
    NOTE = "note"  # below comments.min-inline-severity (info by default): the body's collapsed Notes
    REFUSED = "refused"  # meant inline, but GitHub refused the anchor (422): in the review body
    SUMMARY = "summary"  # no PR to post on: job summary and annotations only
    EARLIER = "earlier"  # posted by an earlier run on this PR: not posted again


@dataclass(frozen=True)
class Placement:
    """How many inline comments, and from which severity up."""

    max_inline: int
    min_inline: Severity = DEFAULT_MIN_INLINE


@dataclass(frozen=True)
class Routed:
    finding: Finding
    route: Route
    commentable: bool
    start_line: int | None = None  # first line of a multi-line comment, when the range is in one hunk
    comment_line: int | None = None  # GitHub's ``line``: the last line of the commented range
    merged: tuple[Finding, ...] = ()  # related rules' findings on the same object, said in this one
    also: tuple[Finding, ...] = ()  # the same cause at other places, listed in this one

    @property
    def folded(self) -> tuple[Finding, ...]:
        return (*self.merged, *self.also)

    @property
    def size(self) -> int:
        """How many findings this one placement stands for."""
        return 1 + len(self.merged) + len(self.also)

    def moved(self, route: Route) -> Routed:
        return Routed(self.finding, route, False, merged=self.merged, also=self.also)


def _range_start(finding: Finding, changes: ChangeSet) -> tuple[int, int | None]:
    """(line, start_line) for the review comment: GitHub wants ``line`` = the range's last line."""
    if finding.end_line and finding.end_line > finding.line:
        change = changes.get(finding.path)
        if change is not None:
            for hunk in change.hunks:
                if finding.line in hunk.visible and finding.end_line in hunk.visible:
                    return finding.end_line, finding.line
    return finding.line, None


def _place(finding: Finding, changes: ChangeSet, placement: Placement, room: bool) -> Route:
    """Where one problem goes; ``room``: an inline place is still free."""
    commentable = changes.commentable(finding.path, finding.line)
    if finding.severity.rank < placement.min_inline.rank:
        return Route.NOTE
    if commentable:
        return Route.INLINE if room else Route.BODY
    return Route.FILE if changes.get(finding.path) is not None else Route.BODY


def route_problems(problems: Iterable[Problem], changes: ChangeSet | None, placement: Placement) -> list[Routed]:
    cap = max(0, min(placement.max_inline, HARD_MAX_INLINE))
    out: list[Routed] = []
    inline = 0
    for p in sorted(problems, key=lambda p: p.finding.sort_key):  # errors take the inline places first
        f = p.finding
        if changes is None:
            out.append(Routed(f, Route.SUMMARY, False, merged=p.merged, also=p.also))
            continue
        route = _place(f, changes, placement, inline < cap)
        line, start = (_range_start(f, changes) if route is Route.INLINE else (None, None))
        inline += route is Route.INLINE
        out.append(Routed(f, route, changes.commentable(f.path, f.line), start, line, p.merged, p.also))
    return out


def plan_review(findings: Iterable[Finding], changes: ChangeSet | None, placement: Placement,
                seen: Container[str] = frozenset()) -> list[Routed]:
    """What one PR run posts, the one way the Action and the CLI decide it: findings an earlier run
    posted (their fingerprint is in ``seen``) stay EARLIER; the rest are grouped once (one comment
    per problem, placed on a commentable line when one of its places is), then routed."""
    earlier: list[Routed] = []
    new: list[Finding] = []
    for f in findings:
        if f.fingerprint() in seen:
            earlier.append(Routed(f, Route.EARLIER, False))
        else:
            new.append(f)
    prefer = (lambda f: changes.commentable(f.path, f.line)) if changes is not None else None
    return [*route_problems(group_findings(new, prefer), changes, placement), *earlier]
