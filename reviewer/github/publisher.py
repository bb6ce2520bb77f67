"""Publish a PR review in ONE create-review call; post only what a previous run did not say.

    read what we said before (review comments + review bodies, all pages: hidden markers)
      -> plan_review: keep new findings, group them (one comment per problem), route
         (inline | file | body | notes) -> POST /pulls/{n}/reviews
      -> 422 (a bad anchor): demote the anchors GitHub's diff does not have, or all of them; retry once
"""

from __future__ import annotations

import uuid
from collections.abc import Container, Sequence
from dataclasses import dataclass, field
from typing import Any

import github
from github.PullRequest import PullRequest

from reviewer.diff import ChangeSet, from_github_files
from reviewer.errors import PublishError
from reviewer.github.client import calling, is_transport_error, own_login, written_by_us
from reviewer.model import Finding, Severity
from reviewer.render.markdown import Links, comment_of
from reviewer.render.markers import Posted
from reviewer.render.review import review_body
from reviewer.routing import DEFAULT_MIN_INLINE, Placement, Route, Routed, plan_review

# The review is a comment, never a verdict: a bot must not approve or block a merge.
REVIEW_EVENT = "COMMENT"


@dataclass
class PublishResult:
    posted: bool
    url: str | None = None
    routed: list[Routed] = field(default_factory=list)  # where every finding ended up (EARLIER: not again)
    demoted: int = 0
    notes: list[str] = field(default_factory=list)
    fixed: int = 0  # earlier comments whose findings are gone from the head (threads.tidy)
    resolved: int = 0  # review threads resolved by this run
    dismissed: int = 0  # our comments on the PR people dismissed (never posted again)

    @property
    def new(self) -> int:
        """New findings posted (a comment standing for several counts each of them)."""
        return sum(r.size for r in self.routed if r.route is not Route.EARLIER)


def posted_fingerprints(pull: PullRequest, login: str | None = None) -> Posted:
    """Fingerprints from the markers of our own review comments and review bodies on the PR."""
    found = Posted()
    with calling(f"read the review comments of PR #{pull.number}"):
        for comment in pull.get_review_comments():
            if written_by_us(comment.user, login):
                found.read(comment.body)
        for review in pull.get_reviews():
            if written_by_us(review.user, login):
                found.read(review.body)
    return found


def review_payload(routed: Sequence[Routed], head_sha: str, links: Links | None, notes: Sequence[str],
                   run_marker: str, extra: Sequence[str] = ()) -> dict[str, Any]:
    comments = []
    for r in routed:
        if r.route is not Route.INLINE:
            continue
        c: dict[str, Any] = {"path": r.finding.path, "line": r.comment_line or r.finding.line, "side": "RIGHT",
                             "body": comment_of(r, links)}
        if r.start_line is not None:
            c.update(start_line=r.start_line, start_side="RIGHT")
        comments.append(c)
    body = review_body(routed, links, notes, extra) + run_marker + "\n"
    return {"commit_id": head_sha, "event": REVIEW_EVENT, "body": body, "comments": comments}


def _demote_all(routed: list[Routed]) -> list[Routed]:
    return [r.moved(Route.REFUSED) if r.route is Route.INLINE else r for r in routed]


class Publisher:
    """Posts one review on one PR. ``requester`` is PyGithub's public ``Github.requester``."""

    def __init__(self, gh: github.Github, pull: PullRequest, head_sha: str, links: Links | None) -> None:
        self.gh, self.pull, self.head_sha, self.links = gh, pull, head_sha, links
        self.run_marker = f"<!-- arch-review:run={uuid.uuid4().hex[:16]} -->"

    def publish(self, findings: Sequence[Finding], changes: ChangeSet, max_inline: int,
                notes: Sequence[str] = (), extra: Sequence[str] = (),
                min_inline: Severity = DEFAULT_MIN_INLINE, seen: Container[str] | None = None,
                post_extra_alone: bool = False) -> PublishResult:
        """``seen``: what earlier runs said (read from the PR when not given); ``post_extra_alone``:
        post a review for ``extra`` (the service-map change) even when no finding is new."""
        if seen is None:
            seen = posted_fingerprints(self.pull, own_login(self.gh))
        planned = plan_review(findings, changes, Placement(max_inline, min_inline), seen)
        earlier = [r for r in planned if r.route is Route.EARLIER]
        routed = [r for r in planned if r.route is not Route.EARLIER]
        result = PublishResult(posted=False, routed=earlier)
        if not routed and not (extra and post_extra_alone):
            return result
        payload = review_payload(routed, self.head_sha, self.links, notes, self.run_marker, extra)
        try:
            review = self._post(payload)
        except PublishError as exc:
            if exc.status != 422 or not payload["comments"]:
                raise
            routed, result.demoted = self._demote_bad_anchors(routed)
            result.notes.append(f"GitHub refused an inline anchor ({exc.message}); {result.demoted} finding(s) "
                                "moved to the review body")
            payload = review_payload(routed, self.head_sha, self.links, notes, self.run_marker, extra)
            try:
                review = self._post(payload)
            except PublishError as again:
                if again.status != 422 or not payload["comments"]:
                    raise
                result.demoted += len(payload["comments"])
                routed = _demote_all(routed)
                payload = review_payload(routed, self.head_sha, self.links, notes, self.run_marker, extra)
                review = self._post(payload)
        result.posted, result.url, result.routed = True, review.get("html_url"), [*routed, *earlier]
        return result

    def _post(self, payload: dict[str, Any]) -> dict[str, Any]:
        url = f"{self.pull.url}/reviews"
        try:
            with calling(f"post a review on PR #{self.pull.number}"):
                _, data = self.gh.requester.requestJsonAndCheck("POST", url, input=payload)
                return data
        except PublishError as exc:
            if is_transport_error(exc):
                # GitHub may have created the review before the connection dropped: look, never resend
                posted = self._find_own_review()
                if posted is not None:
                    return posted
            raise

    def _find_own_review(self) -> dict[str, Any] | None:
        with calling(f"read the reviews of PR #{self.pull.number}"):
            for review in self.pull.get_reviews():
                if self.run_marker in (review.body or ""):
                    return review.raw_data
        return None

    def _demote_bad_anchors(self, routed: list[Routed]) -> tuple[list[Routed], int]:
        """Re-read the PR's files (the diff may have moved on) and demote anchors outside its hunks;
        when none is found GitHub still refused one we cannot see: demote every inline comment."""
        with calling(f"list the files of PR #{self.pull.number}"):
            current = from_github_files([f.raw_data for f in self.pull.get_files()])
        out, demoted = [], 0
        for r in routed:
            if r.route is Route.INLINE and not (current.commentable(r.finding.path, r.comment_line or r.finding.line)
                                                and (r.start_line is None or
                                                     current.commentable(r.finding.path, r.start_line))):
                out.append(r.moved(Route.REFUSED))
                demoted += 1
            else:
                out.append(r)
        if demoted == 0:
            demoted = sum(1 for r in routed if r.route is Route.INLINE)
            out = _demote_all(routed)
        return out, demoted
