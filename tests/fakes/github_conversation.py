"""The conversation half of the loopback GitHub: review-comment replies and reactions, issue-comment
listings, the repository-wide review-comment listing, and the two GraphQL operations we use
(``pullRequest.reviewThreads`` and ``resolveReviewThread``). Mixed into ``FakeGitHub``.

How GitHub answers, as documented (docs.github.com, read 2026):
* REST ``POST /pulls/{n}/comments/{id}/replies``: 201 with the reply; 404 "Not Found" when the
  comment is gone. "Replies to replies are not supported": the reply joins the top-level comment.
* REST comment objects carry a ``reactions`` roll-up (``+1``, ``-1``, ... ``total_count``) and
  review comments ``in_reply_to_id`` when they answer another.
* GraphQL: a bad token is HTTP 401 ``{"message": "Bad credentials"}``; a token without the
  permission gets HTTP 200 with ``errors: [{"type": "FORBIDDEN", "message": "Resource not accessible
  by integration"}]``; an unknown node id ``errors: [{"type": "NOT_FOUND", ...}]``; ``first`` over 100
  is refused ("EXCESSIVE_PAGINATION"). Resolving a thread already resolved succeeds.
"""

from __future__ import annotations

import base64
from typing import Any

GRAPHQL_DOCS = "https://docs.github.com/graphql"
REACTIONS = ("+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes")
Answer = tuple[int, Any, dict[str, str]]


def _cursor(index: int) -> str:
    return base64.b64encode(f"cursor:v2:{index}".encode()).decode()


def _index(cursor: str | None) -> int:
    if not cursor:
        return 0
    return int(base64.b64decode(cursor).decode().rsplit(":", 1)[1]) + 1


class ConversationRoutes:
    """Needs ``pulls``, ``issue_comments``, ``reactions``, ``_ids``, ``_page``, ``_url``, ``_html``,
    ``_not_found``, ``_unprocessable``, ``repo`` from ``FakeGitHub``."""

    pulls: dict[int, Any]
    issue_comments: dict[int, dict[str, Any]]
    reactions: list[dict[str, Any]]
    repo: str
    # a token that may read but not run GraphQL mutations (fork PRs, read-only GITHUB_TOKEN)
    graphql_read_only: bool = False
    resolved_threads: dict[int, str]  # first comment id -> who resolved it

    def conversation_table(self, r: str) -> list[tuple[str, str, Any]]:
        return [
            ("GET", rf"{r}/pulls/comments", self._list_repo_review_comments),
            ("POST", rf"{r}/pulls/(\d+)/comments/(\d+)/replies", self._reply),
            ("POST", rf"{r}/pulls/comments/(\d+)/reactions", self._react_review_comment),
            ("GET", rf"{r}/pulls/comments/(\d+)/reactions", self._list_review_comment_reactions),
            ("GET", rf"{r}/issues/(\d+)/comments", self._list_issue_comments),
        ]

    # ---- setup helpers for tests --------------------------------------------------------------
    def review_comment(self, cid: int) -> dict[str, Any]:
        return next(c for p in self.pulls.values() for c in p.comments if c["id"] == cid)

    def add_reply(self, number: int, to: int, body: str, user: str = "dev",
                  association: str = "MEMBER") -> int:
        """A person's reply in the thread of review comment ``to``."""
        pull = self.pulls[number]
        parent = self.review_comment(to)
        cid = next(self._ids)  # type: ignore[attr-defined]
        pull.comments.append({**parent, "id": cid, "in_reply_to_id": parent.get("in_reply_to_id") or to,
                              "body": body, "user": {"login": user, "type": "User"}, "author_association": association,
                              "pull_request_review_id": None, "reactions": {}})
        return cid

    def add_reaction(self, cid: int, content: str, user: str = "dev") -> None:
        """A person's reaction on review comment ``cid``."""
        roll = self.review_comment(cid).setdefault("reactions", {})
        roll[content] = roll.get(content, 0) + 1
        self.reactions.append({"id": next(self._ids), "content": content, "comment_id": cid,  # type: ignore[attr-defined]
                               "user": {"login": user, "type": "User"}})

    def delete_review_comment(self, cid: int) -> None:
        for p in self.pulls.values():
            p.comments[:] = [c for c in p.comments if c["id"] != cid]

    # ---- REST ---------------------------------------------------------------------------------
    def _rollup(self, reactions: dict[str, int], url: str) -> dict[str, Any]:
        counts = {k: reactions.get(k, 0) for k in REACTIONS}
        return {"url": url + "/reactions", "total_count": sum(counts.values()), **counts}

    def review_comment_json(self, c: dict[str, Any]) -> dict[str, Any]:
        out = {k: v for k, v in c.items() if k != "reactions"}
        out.setdefault("author_association", "NONE")
        out["reactions"] = self._rollup(c.get("reactions") or {}, c.get("url", ""))
        return out

    def _list_repo_review_comments(self, query: dict[str, str], body: Any) -> Answer:
        since = query.get("since", "")
        items = [self.review_comment_json(c) for _, p in sorted(self.pulls.items()) for c in p.comments
                 if not since or c.get("updated_at", since) >= since]
        return self._page(f"/repos/{self.repo}/pulls/comments", query, items)  # type: ignore[attr-defined]

    def _reply(self, query: dict[str, str], body: Any, n: str, cid: str) -> Answer:
        pull = self.pulls.get(int(n))
        parent = next((c for c in pull.comments if c["id"] == int(cid)), None) if pull else None
        if parent is None:
            return self._not_found()  # type: ignore[attr-defined]
        if not (body or {}).get("body"):
            return self._unprocessable("body can't be blank")  # type: ignore[attr-defined]
        new = next(self._ids)  # type: ignore[attr-defined]
        top = parent.get("in_reply_to_id") or parent["id"]
        reply = {**parent, "id": new, "in_reply_to_id": top, "body": body["body"],
                 "user": {"login": "github-actions[bot]", "type": "Bot"}, "author_association": "NONE",
                 "pull_request_review_id": None, "reactions": {},
                 "url": self._url(f"/pulls/comments/{new}"),  # type: ignore[attr-defined]
                 "html_url": self._html(f"/pull/{n}#discussion_r{new}")}  # type: ignore[attr-defined]
        pull.comments.append(reply)
        return 201, self.review_comment_json(reply), {}

    def _react_review_comment(self, query: dict[str, str], body: Any, cid: str) -> Answer:
        if not any(c["id"] == int(cid) for p in self.pulls.values() for c in p.comments):
            return self._not_found()  # type: ignore[attr-defined]
        if (body or {}).get("content") not in REACTIONS:
            return self._unprocessable("content is not included in the list")  # type: ignore[attr-defined]
        self.add_reaction(int(cid), body["content"], "github-actions[bot]")
        return 201, self.reactions[-1], {}

    def _list_review_comment_reactions(self, query: dict[str, str], body: Any, cid: str) -> Answer:
        """GET /pulls/comments/{id}/reactions: who reacted, filtered by ``content``, paged."""
        if not any(c["id"] == int(cid) for p in self.pulls.values() for c in p.comments):
            return self._not_found()  # type: ignore[attr-defined]
        content = query.get("content")
        if content is not None and content not in REACTIONS:
            return self._unprocessable("content is not included in the list")  # type: ignore[attr-defined]
        items = [{"id": r["id"], "node_id": f"REA_{r['id']}", "user": r["user"], "content": r["content"],
                  "created_at": "2026-12-01T00:00:00Z"} for r in self.reactions
                 if r.get("comment_id") == int(cid) and content in (None, r["content"])]
        return self._page(f"/repos/{self.repo}/pulls/comments/{cid}/reactions", query, items)  # type: ignore[attr-defined]

    def _list_issue_comments(self, query: dict[str, str], body: Any, n: str) -> Answer:
        if int(n) not in self.issues:  # type: ignore[attr-defined]
            return self._not_found()  # type: ignore[attr-defined]
        items = []
        for c in sorted(self.issue_comments.values(), key=lambda c: c["id"]):
            if c["issue"] == int(n):
                roll: dict[str, int] = {}
                for r in self.reactions:
                    if r.get("comment_id") == c["id"]:
                        roll[r["content"]] = roll.get(r["content"], 0) + 1
                items.append({**self._comment_json(c),  # type: ignore[attr-defined]
                              "author_association": c.get("association", "MEMBER"),
                              "reactions": self._rollup(roll, self._url(f"/issues/comments/{c['id']}"))})
        return self._page(f"/repos/{self.repo}/issues/{n}/comments", query, items)  # type: ignore[attr-defined]

    # ---- GraphQL ------------------------------------------------------------------------------
    def graphql(self, body: Any) -> Answer:
        query = (body or {}).get("query") or ""
        variables = (body or {}).get("variables") or {}
        if "resolveReviewThread" in query:
            return self._resolve(variables)
        if "reviewThreads" in query:
            return self._threads(variables)
        return 200, {"errors": [{"message": "Field doesn't exist on type 'Query'", "extensions": {
            "code": "undefinedField"}}]}, {}

    @staticmethod
    def _error(kind: str, message: str, path: list[str]) -> Answer:
        return 200, {"data": None, "errors": [{"type": kind, "path": path, "message": message,
                                               "locations": [{"line": 1, "column": 1}]}]}, {}

    def _threads(self, v: dict[str, Any]) -> Answer:
        first = int(v.get("first") or 0)
        if not 1 <= first <= 100:
            return self._error("EXCESSIVE_PAGINATION", f"Requesting {first} records on the `reviewThreads` "
                               "connection exceeds the `first` limit of 100 records.", ["repository"])
        if f"{v.get('owner')}/{v.get('name')}" != self.repo:
            return self._error("NOT_FOUND", f"Could not resolve to a Repository with the name "
                               f"'{v.get('owner')}/{v.get('name')}'.", ["repository"])
        pull = self.pulls.get(int(v.get("number") or 0))
        if pull is None:
            return self._error("NOT_FOUND", f"Could not resolve to a PullRequest with the number of "
                               f"{v.get('number')}.", ["repository", "pullRequest"])
        tops = [c for c in pull.comments if not c.get("in_reply_to_id")]
        start = _index(v.get("cursor"))
        chunk = tops[start:start + first]
        nodes = []
        for c in chunk:
            count = 1 + sum(1 for x in pull.comments if x.get("in_reply_to_id") == c["id"])
            by = self.resolved_threads.get(c["id"])
            nodes.append({"id": f"PRRT_{c['id']}", "isResolved": by is not None,
                          # resolvedBy is a User: null when an app's bot resolved it
                          "resolvedBy": {"login": by} if by and not by.endswith("[bot]") else None,
                          "comments": {"totalCount": count, "nodes": [{"databaseId": c["id"]}]}})
        end = start + len(chunk)
        page = {"hasNextPage": end < len(tops), "endCursor": _cursor(end - 1) if chunk else None}
        return 200, {"data": {"repository": {"pullRequest": {"reviewThreads": {
            "totalCount": len(tops), "pageInfo": page, "nodes": nodes}}}}}, {}

    def _resolve(self, v: dict[str, Any]) -> Answer:
        if self.graphql_read_only or self.read_only:  # type: ignore[attr-defined]
            return self._error("FORBIDDEN", "Resource not accessible by integration", ["resolveReviewThread"])
        thread = str(v.get("threadId") or "")
        first = int(thread[5:]) if thread.startswith("PRRT_") and thread[5:].isdigit() else None
        if first is None or not any(c["id"] == first for p in self.pulls.values() for c in p.comments):
            return self._error("NOT_FOUND", f"Could not resolve to a node with the global id of '{thread}'",
                               ["resolveReviewThread"])
        self.resolved_threads.setdefault(first, "github-actions[bot]")
        return 200, {"data": {"resolveReviewThread": {"thread": {"id": thread, "isResolved": True}}}}, {}
