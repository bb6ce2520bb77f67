"""Our earlier comments on a PR, read back at run time, and the threads that follow the code.

    read_conversation: GET /pulls/{n}/comments (all pages: our comments, people's replies, the
        reactions roll-up) + GET /pulls/{n}/reviews (our review bodies) + GraphQL
        pullRequest.reviewThreads (thread ids and resolved state, 100 a page)
    tidy: each of our rule comments whose finding is gone from the head gets ONE reply
        ("Fixed in `abc1234`.") and its thread resolved (GraphQL resolveReviewThread); a thread a
        person replied to is resolved and never written to; one resolved already is left alone.

The hidden markers are the memory: a "Fixed" reply carries one, so a rerun neither says it twice
nor counts that comment's findings as posted (a finding that comes back is posted anew). A 👎 or a
"won't fix" / "false positive" reply dismisses a comment: its findings are never posted again here.
Only the PR's author and people with write access dismiss (``may_dismiss``): on a public repository
anyone may react, and a drive-by 👎 must not empty the review; an ignored one is said in a note.
A token that may not run GraphQL (fork PRs, read-only tokens) costs a note, never the run.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Container
from dataclasses import dataclass, field
from typing import Any

import github
from github.PullRequest import PullRequest

from reviewer.errors import PublishError
from reviewer.github.client import calling, written_by_us
from reviewer.render.conversation import comment_rules, fixed_reply, is_dismissal, is_fixed_reply
from reviewer.render.markers import Posted, inline_recorded, posted_in

# GraphQL connections: "first" must be within 1 and 100 (docs.github.com/graphql/overview/
# rate-limits-and-query-limits-for-the-graphql-api, "Node limit"). 30 pages = 3,000 threads.
THREADS_PER_PAGE = 100
MAX_THREAD_PAGES = 30
# GitHub, "Best practices for using the REST API": "no more than 80 content-generating requests per
# minute and no more than 500 content-generating requests per hour" (replies and mutations count).
# A run tidies at most this many threads (two writes each); the next run tidies the rest.
MAX_TIDIED = 50

THREADS_QUERY = """
query($owner: String!, $name: String!, $number: Int!, $first: Int!, $cursor: String) {
  repository(owner: $owner, name: $name) {
    pullRequest(number: $number) {
      reviewThreads(first: $first, after: $cursor) {
        pageInfo { hasNextPage endCursor }
        nodes { id isResolved resolvedBy { login } comments(first: 1) { nodes { databaseId } } }
      }
    }
  }
}"""

RESOLVE_MUTATION = """
mutation($threadId: ID!) {
  resolveReviewThread(input: {threadId: $threadId}) { thread { id isResolved } }
}"""


@dataclass
class Thread:
    """One of our top-level review comments and what happened to it since."""

    comment_id: int
    body: str
    rules: tuple[str, ...]
    by_model: bool
    path: str = ""
    thread_id: str | None = None  # GraphQL node id; None when the threads could not be read
    resolved: bool = False
    person_replied: bool = False
    fixed_said: bool = False  # our "Fixed in" reply is in the thread
    resolved_by_us: bool = False  # we resolved it: its finding was gone (the memory of a thread we never wrote to)
    dismissed: bool = False

    def about(self, present: Collection[str]) -> bool:
        """True when one of the findings this comment stands for is still at the head."""
        posted = posted_in(self.body)
        return any(fp in posted for fp in present)


@dataclass
class Conversation:
    threads: list[Thread] = field(default_factory=list)
    bodies: list[str] = field(default_factory=list)  # our review bodies
    notes: list[str] = field(default_factory=list)  # about reading the threads
    ignored_dismissers: list[str] = field(default_factory=list)  # 👎 or "won't fix" from people who may not
    threads_read: bool = False
    threads_tried: bool = False

    @property
    def needs_threads(self) -> bool:
        """Whether ``memory`` needs the threads: a comment a person replied to may have been
        resolved by us as fixed, and the only record of it is the thread's state."""
        return any(t.person_replied and not t.fixed_said for t in self.threads)

    def memory(self) -> Posted:
        """What not to post again: every comment but the ones we said (or found) were fixed, every
        review body, every dismissed comment, and every comment a person deleted (a review body
        recorded it as inline and it is gone)."""
        seen = Posted()
        for t in self.threads:
            if t.dismissed or not (t.fixed_said or t.resolved_by_us):
                seen.read(t.body)
        for body in self.bodies:
            seen.read(body)
        seen.short |= self.deleted
        return seen

    @property
    def deleted(self) -> set[str]:
        """Short fingerprints our reviews posted inline whose comments are no longer on the PR."""
        return inline_recorded(*self.bodies) - posted_in(*(t.body for t in self.threads)).short_keys()

    @property
    def dismissed(self) -> list[Thread]:
        return [t for t in self.threads if t.dismissed]


MayDismiss = Callable[[str, str | None], bool]  # (login, author_association or None) -> counts


def read_conversation(pull: PullRequest, login: str | None, may_dismiss: MayDismiss) -> Conversation:
    """Our comments and review bodies, people's replies and reactions: two REST listings, and the
    reactions of a comment that has a 👎 (who gave it)."""
    conv = Conversation()
    ours: dict[int, Thread] = {}
    thumbs_down: list[Any] = []
    replies: list[Any] = []
    ignored: set[str] = set()
    with calling(f"read the review comments of PR #{pull.number}"):
        for c in pull.get_review_comments():
            if c.in_reply_to_id:
                replies.append(c)
            elif written_by_us(c.user, login) and len(posted_in(c.body)):  # a finding's comment, not a reply
                rules, by_model = comment_rules(c.body)
                ours[c.id] = Thread(c.id, c.body, rules, by_model, c.path)
                if (c.reactions or {}).get("-1", 0) > 0:
                    thumbs_down.append(c)
        for review in pull.get_reviews():
            if written_by_us(review.user, login):
                conv.bodies.append(review.body or "")
        for c in thumbs_down:
            for reaction in c.get_reactions():
                who = reaction.user.login if reaction.user is not None else ""
                if reaction.content == "-1" and who and not written_by_us(reaction.user, login):
                    if may_dismiss(who, None):
                        ours[c.id].dismissed = True
                    else:
                        ignored.add(who)
    for r in replies:
        t = ours.get(r.in_reply_to_id)
        if t is None:
            continue
        if written_by_us(r.user, login):
            t.fixed_said = t.fixed_said or is_fixed_reply(r.body)
            continue
        t.person_replied = True
        if is_dismissal(r.body) and r.user is not None:
            if may_dismiss(r.user.login, r.author_association):
                t.dismissed = True
            else:
                ignored.add(r.user.login)
    conv.ignored_dismissers = sorted(ignored)
    conv.threads = sorted(ours.values(), key=lambda t: t.comment_id)
    return conv


def read_threads(gh: github.Github, pull: PullRequest, repository: str, conv: Conversation,
                 login: str | None = None) -> None:
    """Thread ids and resolved state of our comments (GraphQL, 100 threads a page); a failure is a
    note in ``conv.notes`` and ``conv.threads_read`` stays False. Read once per run."""
    if conv.threads_tried:
        return
    conv.threads_tried = True
    ours = {t.comment_id: t for t in conv.threads}
    # GraphQL's resolvedBy is a User: null when a bot (GITHUB_TOKEN) resolved the thread
    us = {login, "github-actions"} - {None}
    owner, name = repository.split("/", 1)
    cursor = None
    try:
        for _ in range(MAX_THREAD_PAGES):
            with calling(f"read the review threads of PR #{pull.number}"):
                _, data = gh.requester.graphql_query(THREADS_QUERY, {
                    "owner": owner, "name": name, "number": pull.number, "first": THREADS_PER_PAGE,
                    "cursor": cursor})
            threads = data["data"]["repository"]["pullRequest"]["reviewThreads"]
            for node in threads["nodes"]:
                first = (node.get("comments") or {}).get("nodes") or [{}]
                t = ours.get(first[0].get("databaseId") or 0)
                if t is not None:
                    t.thread_id, t.resolved = node["id"], bool(node["isResolved"])
                    by = (node.get("resolvedBy") or {}).get("login")
                    t.resolved_by_us = t.resolved and (by is None or by in us)
            if not threads["pageInfo"]["hasNextPage"]:
                break
            cursor = threads["pageInfo"]["endCursor"]
        conv.threads_read = True
    except PublishError as exc:
        conv.notes.append(f"fixed findings' threads cannot be resolved: {_why(exc)}")
    except (KeyError, TypeError) as exc:
        conv.notes.append(f"fixed findings' threads cannot be resolved: GitHub's answer had no {exc}")


def _why(exc: PublishError) -> str:
    """A GraphQL failure, said for the summary: a token without the scope is the usual one."""
    text = str(exc)
    if exc.status in (401, 403) or "not accessible" in text.lower() or "forbidden" in text.lower():
        return (f"the token may not use GitHub's GraphQL API for that ({text}); fork PRs get a read-only token, "
                "give the workflow `pull-requests: write`")
    return text


@dataclass
class Tidied:
    fixed: int = 0  # comments whose findings are gone from the head
    replied: int = 0
    resolved: int = 0
    notes: list[str] = field(default_factory=list)


def tidy(gh: github.Github, pull: PullRequest, repository: str, conv: Conversation, present: Collection[str],
         head_sha: str, skip_rules: Container[str] = frozenset(), unread: Container[str] = frozenset()) -> Tidied:
    """Reply and resolve for each of our rule comments whose findings are all gone from the head.
    Model comments are left alone (the model may not run, or say it differently), and so are the
    comments of rules this run did not apply (``skip_rules``: ignored on the PR) and the comments on
    files it could not read or was told to leave out (``unread``): absent is not fixed there. The
    threads are read only when a comment is gone."""
    out = Tidied()
    gone = [t for t in conv.threads if not (t.fixed_said or t.by_model or not t.rules or t.about(present)
                                            or t.path in unread or any(r in skip_rules for r in t.rules))]
    if gone:
        read_threads(gh, pull, repository, conv)
        out.notes += conv.notes
    may_resolve = conv.threads_read
    if len(gone) > MAX_TIDIED:
        out.notes.append(f"{len(gone) - MAX_TIDIED} more fixed comment(s) are left for the next run "
                         f"(at most {MAX_TIDIED} threads a run, for GitHub's limits on writes)")
        gone = gone[:MAX_TIDIED]
    for t in gone:
        if t.resolved:
            continue  # somebody closed the thread already: nothing to add
        out.fixed += 1
        if not t.person_replied:
            try:
                with calling(f"reply to review comment {t.comment_id}"):
                    pull.create_review_comment_reply(t.comment_id, fixed_reply(head_sha))
                out.replied += 1
            except PublishError as exc:
                if exc.status == 404:
                    out.notes.append(f"review comment {t.comment_id} was deleted before it could be marked fixed")
                    continue
                out.notes.append(f"fixed findings are not marked on their comments: {exc}")
                break  # the token may not write here: the next reply would fail the same way
        if not may_resolve or t.thread_id is None:
            continue
        try:
            with calling(f"resolve the review thread of comment {t.comment_id}"):
                gh.requester.graphql_query(RESOLVE_MUTATION, {"threadId": t.thread_id})
            out.resolved += 1
        except PublishError as exc:
            if exc.status == 404:  # the thread went away between reading and resolving
                continue
            out.notes.append(f"fixed findings' threads are left open: {_why(exc)}")
            may_resolve = False  # one answer is enough: the next would say the same
    return out
