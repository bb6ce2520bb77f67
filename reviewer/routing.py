"""Annotate, then route; never drop. Each finding learns whether its line can carry an inline
comment in the PR diff, then goes inline, to a file-level list, or to the review body."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from reviewer.diff import ChangeSet
from reviewer.model import Finding

# GitHub: "Make no more than 80 content-generating requests per minute" and review comments
# notify everyone watching the PR; a review bot that buries a PR in comments gets muted.
# The user's cap (input max-comments, default 20) applies below this hard ceiling.
HARD_MAX_INLINE = 50


class Route(StrEnum):
    INLINE = "inline"  # a review comment on the line (RIGHT side, inside a hunk)
    FILE = "file"  # in a changed file but outside the hunks: listed per file in the review body
    BODY = "body"  # over the inline cap, or not in a changed file: <details> in the review body
    SUMMARY = "summary"  # no PR to post on: job summary and annotations only
    EARLIER = "earlier"  # posted by an earlier run on this PR: not posted again


@dataclass(frozen=True)
class Routed:
    finding: Finding
    route: Route
    commentable: bool
    start_line: int | None = None  # first line of a multi-line comment, when the range is in one hunk
    comment_line: int | None = None  # GitHub's ``line``: the last line of the commented range


def _range_start(finding: Finding, changes: ChangeSet) -> tuple[int, int | None]:
    """(line, start_line) for the review comment: GitHub wants ``line`` = the range's last line."""
    if finding.end_line and finding.end_line > finding.line:
        change = changes.get(finding.path)
        if change is not None:
            for hunk in change.hunks:
                if finding.line in hunk.visible and finding.end_line in hunk.visible:
                    return finding.end_line, finding.line
    return finding.line, None


def route_findings(findings: Iterable[Finding], changes: ChangeSet | None, max_inline: int) -> list[Routed]:
    cap = max(0, min(max_inline, HARD_MAX_INLINE))
    ordered = sorted(findings, key=lambda f: f.sort_key)  # errors take the inline places first
    out: list[Routed] = []
    inline = 0
    for finding in ordered:
        if changes is None:
            out.append(Routed(finding, Route.SUMMARY, False))
            continue
        commentable = changes.commentable(finding.path, finding.line)
        if commentable and inline < cap:
            inline += 1
            line, start = _range_start(finding, changes)
            out.append(Routed(finding, Route.INLINE, True, start, line))
        elif commentable:
            out.append(Routed(finding, Route.BODY, True))
        elif changes.get(finding.path) is not None:
            out.append(Routed(finding, Route.FILE, False))
        else:
            out.append(Routed(finding, Route.BODY, False))
    return out
