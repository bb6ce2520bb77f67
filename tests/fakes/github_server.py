"""A loopback GitHub REST API for the endpoints arch-review uses, driven by the REAL PyGithub.

It answers like github.com does: real status codes and error bodies, ``Link`` pagination with
``per_page`` (max 100) and the 3000-file cap of ``/pulls/{n}/files``, review anchors validated
against the PR's hunks (RIGHT side), 65,536-character bodies. Faults can be injected per
endpoint (5xx, 429 + Retry-After, secondary rate limit 403, read-only 403). Every request is
recorded for assertions.
"""

from __future__ import annotations

import base64
import difflib
import itertools
import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

from tests.fakes.github_conversation import GRAPHQL_DOCS, ConversationRoutes

DOCS = "https://docs.github.com/rest"
MAX_BODY = 65536
FILES_CAP = 3000  # "Responses include a maximum of 3000 files."
SECONDARY_RATE_LIMIT = ("You have exceeded a secondary rate limit. Please wait a few minutes before you try again. "
                        "If you reach out to GitHub Support for help, please include the request ID ABCD:1234.")
READ_ONLY = "Resource not accessible by integration"
_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@")


def right_side_lines(patch: str | None) -> set[int]:
    """New-side lines shown in the patch's hunks: what GitHub accepts for ``side: RIGHT``."""
    lines: set[int] = set()
    new = 0
    for raw in (patch or "").splitlines():
        m = _HUNK.match(raw)
        if m:
            new = int(m.group(1))
            continue
        if raw.startswith(("+", " ")) or raw == "":
            lines.add(new)
            new += 1
    return lines


@dataclass
class Request:
    method: str
    path: str  # without the API prefix
    query: dict[str, str]
    body: Any
    headers: dict[str, str]


@dataclass
class Fault:
    method: str
    pattern: re.Pattern[str]
    status: int
    body: dict[str, Any]
    headers: dict[str, str]
    times: int
    raw: bytes | None = None  # a body sent as is (HTML, truncated JSON, nothing), not as JSON


@dataclass
class Pull:
    number: int
    head_sha: str
    base_sha: str
    files: list[dict[str, Any]]
    base_ref: str = "main"
    head_ref: str = "feature"
    title: str = "Add orders endpoint"
    body: str = ""
    head_repo: str | None = None  # owner/name of a fork
    reviews: list[dict[str, Any]] = field(default_factory=list)
    comments: list[dict[str, Any]] = field(default_factory=list)
    author: str = "dev"


def _user(login: str) -> dict[str, str]:
    """A user as GitHub embeds it in issues and comments: always with its login and type."""
    return {"login": login, "type": "Bot" if login.endswith("[bot]") else "User"}


class FakeGitHub(ConversationRoutes):
    def __init__(self, repo: str = "acme/shop", prefix: str = "") -> None:
        self.repo = repo
        self.prefix = prefix.rstrip("/")
        self.pulls: dict[int, Pull] = {}
        self.contents: dict[tuple[str, str], bytes] = {}  # (ref, path) -> bytes
        self.permissions: dict[str, str] = {}
        self.issues: dict[int, dict[str, Any]] = {}
        self.issue_comments: dict[int, dict[str, Any]] = {}
        self.reactions: list[dict[str, Any]] = []
        self.requests: list[Request] = []
        self.read_only = False
        self.graphql_read_only = False
        self.resolved_threads: dict[int, str] = {}
        self.faults: list[Fault] = []
        self.slow: dict[tuple[str, str], float] = {}  # (method, path regex) -> seconds to hold the answer
        self.compare_status: dict[tuple[str, str], str] = {}  # (base, head) -> "diverged" for a force-push
        self._ids = itertools.count(1000)
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    # ---- setup -------------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}{self.prefix}"

    def add_pull(self, pull: Pull) -> Pull:
        self.pulls[pull.number] = pull
        self.issues[pull.number] = {"number": pull.number, "title": pull.title, "body": pull.body,
                                    "state": "open", "labels": [], "is_pull": True, "user": pull.author}
        return pull

    def set_tree(self, ref: str, files: dict[str, str | bytes]) -> None:
        for path, data in files.items():
            self.contents[(ref, path)] = data.encode() if isinstance(data, str) else data

    def add_issue_comment(self, issue: int, body: str, user: str = "dev") -> int:
        cid = next(self._ids)
        self.issue_comments[cid] = {"id": cid, "issue": issue, "body": body, "user": user}
        return cid

    def fail(self, method: str, path_regex: str, status: int, message: str = "Server Error", times: int = 1,
             headers: dict[str, str] | None = None, errors: list[str] | None = None) -> None:
        body: dict[str, Any] = {"message": message, "documentation_url": DOCS}
        if errors is not None:
            body["errors"] = errors
        self.faults.append(Fault(method, re.compile(path_regex), status, body, headers or {}, times))

    def answer_raw(self, method: str, path_regex: str, status: int, raw: bytes, times: int = 1,
                   content_type: str = "application/json; charset=utf-8") -> None:
        """Answer with these bytes: an empty, HTML or truncated body where JSON is expected."""
        self.faults.append(Fault(method, re.compile(path_regex), status, {}, {"Content-Type": content_type},
                                 times, raw))

    def calls(self, method: str, path_regex: str) -> list[Request]:
        rx = re.compile(path_regex)
        return [r for r in self.requests if r.method == method and rx.fullmatch(r.path)]

    @property
    def writes(self) -> list[Request]:
        """Requests that change something (a GraphQL query is a POST that only reads)."""
        return [r for r in self.requests if r.method != "GET" and not (
            r.path.endswith("/graphql") and "mutation" not in str((r.body or {}).get("query", "")))]

    # ---- server ------------------------------------------------------------------------------
    @contextmanager
    def running(self) -> Iterator[FakeGitHub]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _handle(self) -> None:
                fake._dispatch(self)

            do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _handle

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._server.shutdown()
            self._server.server_close()

    def _dispatch(self, h: BaseHTTPRequestHandler) -> None:
        split = urlsplit(h.path)
        path = unquote(split.path)
        query = {k: v[-1] for k, v in parse_qs(split.query).items()}
        length = int(h.headers.get("Content-Length") or 0)
        raw = h.rfile.read(length) if length else b""
        body = json.loads(raw) if raw else None
        graphql = (self.prefix.removesuffix("/v3") + "/graphql") if self.prefix else "/graphql"
        if self.prefix and path != graphql:
            if not path.startswith(self.prefix + "/"):
                return self._send(h, 404, {"message": "Not Found", "documentation_url": DOCS})
            path = path[len(self.prefix):]
        with self._lock:
            self.requests.append(Request(h.command, path, query, body, dict(h.headers)))
            fault = next((f for f in self.faults
                          if f.times > 0 and f.method == h.command and f.pattern.fullmatch(path)), None)
            if fault is not None:
                fault.times -= 1
                return self._send(h, fault.status, fault.raw if fault.raw is not None else fault.body,
                                  fault.headers)
            if path == graphql and h.command == "POST":  # reads work with a read-only token; mutations do not
                if not (h.headers.get("Authorization") or "").startswith(("token ", "bearer ")):
                    return self._send(h, 401, {"message": "Bad credentials", "documentation_url": GRAPHQL_DOCS})
                status, payload, headers = self.graphql(body)
                return self._send(h, status, payload, headers)
            if self.read_only and h.command != "GET":
                return self._send(h, 403, {"message": READ_ONLY, "documentation_url": DOCS})
            if not (h.headers.get("Authorization") or "").startswith("token "):
                return self._send(h, 401, {"message": "Requires authentication", "documentation_url": DOCS})
            status, payload, headers = self._route(h.command, path, query, body)
        for (method, rx), seconds in self.slow.items():
            if method == h.command and re.fullmatch(rx, path):
                time.sleep(seconds)  # the work is done; the answer comes too late for the client
        with suppress(BrokenPipeError, ConnectionResetError):
            self._send(h, status, payload, headers)

    def _send(self, h: BaseHTTPRequestHandler, status: int, payload: Any,
              headers: dict[str, str] | None = None) -> None:
        raw = isinstance(payload, bytes)
        data = payload if raw else json.dumps(payload).encode()
        h.send_response(status)
        if not raw:
            h.send_header("Content-Type", "application/json; charset=utf-8")
        h.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            h.send_header(k, v)
        h.end_headers()
        h.wfile.write(data)

    # ---- routing -----------------------------------------------------------------------------
    def _route(self, method: str, path: str, query: dict[str, str], body: Any) -> tuple[int, Any, dict[str, str]]:
        r = re.escape(f"/repos/{self.repo}")
        table: list[tuple[str, str, Any]] = [
            ("GET", rf"{r}", self._get_repo),
            ("GET", rf"{r}/pulls/(\d+)", self._get_pull),
            ("GET", rf"{r}/pulls/(\d+)/files", self._list_files),
            ("GET", rf"{r}/pulls/(\d+)/comments", self._list_review_comments),
            ("GET", rf"{r}/pulls/(\d+)/reviews", self._list_reviews),
            ("POST", rf"{r}/pulls/(\d+)/reviews", self._create_review),
            ("GET", rf"{r}/contents/(.+)", self._get_contents),
            ("GET", rf"{r}/compare/([0-9A-Za-z_.-]+)\.\.\.([0-9A-Za-z_.-]+)", self._compare),
            ("GET", rf"{r}/collaborators/([^/]+)/permission", self._permission),
            ("GET", rf"{r}/issues", self._list_issues),
            ("POST", rf"{r}/issues", self._create_issue),
            ("GET", rf"{r}/issues/comments/(\d+)", self._get_issue_comment),
            ("POST", rf"{r}/issues/comments/(\d+)/reactions", self._react),
            ("GET", rf"{r}/issues/(\d+)", self._get_issue),
            ("PATCH", rf"{r}/issues/(\d+)", self._edit_issue),
            ("POST", rf"{r}/issues/(\d+)/comments", self._create_issue_comment),
            *self.conversation_table(r),
        ]
        if method == "GET" and path == "/user":  # what GITHUB_TOKEN gets: an installation token has no user
            return 403, {"message": "Resource not accessible by integration", "documentation_url": DOCS}, {}
        for verb, pattern, fn in table:
            m = re.fullmatch(pattern, path)
            if verb == method and m:
                return fn(query, body, *m.groups())
        return 404, {"message": "Not Found", "documentation_url": DOCS}, {}

    def _url(self, path: str) -> str:
        return f"{self.base_url}/repos/{self.repo}{path}"

    def _html(self, path: str) -> str:
        return f"https://github.test/{self.repo}{path}"

    def _page(self, path: str, query: dict[str, str], items: list[Any]) -> tuple[int, Any, dict[str, str]]:
        per_page = min(int(query.get("per_page", 30)), 100)
        page = max(int(query.get("page", 1)), 1)
        last = max((len(items) + per_page - 1) // per_page, 1)
        chunk = items[(page - 1) * per_page: page * per_page]
        others = {k: v for k, v in query.items() if k not in ("page", "per_page")}

        def link(p: int) -> str:
            return f"{self.base_url}{path}?{urlencode({**others, 'per_page': per_page, 'page': p})}"

        rels = []
        if page < last:
            rels += [f'<{link(page + 1)}>; rel="next"', f'<{link(last)}>; rel="last"']
        if page > 1:
            rels += [f'<{link(1)}>; rel="first"', f'<{link(page - 1)}>; rel="prev"']
        return 200, chunk, ({"Link": ", ".join(rels)} if rels else {})

    def _repo_json(self) -> dict[str, Any]:
        owner, name = self.repo.split("/")
        return {"id": 1, "name": name, "full_name": self.repo, "url": self._url(""), "html_url": self._html(""),
                "owner": {"login": owner, "type": "Organization"}, "default_branch": "main", "private": False}

    def _get_repo(self, query: dict[str, str], body: Any) -> tuple[int, Any, dict[str, str]]:
        return 200, self._repo_json(), {}

    def _pull(self, n: str) -> Pull | None:
        return self.pulls.get(int(n))

    def _not_found(self) -> tuple[int, Any, dict[str, str]]:
        return 404, {"message": "Not Found", "documentation_url": DOCS}, {}

    def _get_pull(self, query: dict[str, str], body: Any, n: str) -> tuple[int, Any, dict[str, str]]:
        pull = self._pull(n)
        if pull is None:
            return self._not_found()
        head_repo = dict(self._repo_json(), full_name=pull.head_repo or self.repo)
        return 200, {
            "url": self._url(f"/pulls/{n}"), "html_url": self._html(f"/pull/{n}"), "number": pull.number,
            "id": pull.number, "state": "open", "title": pull.title, "body": pull.body, "draft": False,
            "user": _user(pull.author), "changed_files": len(pull.files),
            "head": {"sha": pull.head_sha, "ref": pull.head_ref, "repo": head_repo},
            "base": {"sha": pull.base_sha, "ref": pull.base_ref, "repo": self._repo_json()},
        }, {}

    def _list_files(self, query: dict[str, str], body: Any, n: str) -> tuple[int, Any, dict[str, str]]:
        pull = self._pull(n)
        if pull is None:
            return self._not_found()
        files = [{"sha": "0" * 40, **f, "changes": f.get("additions", 0) + f.get("deletions", 0)}
                 for f in pull.files[:FILES_CAP]]  # `sha`: the head version's blob id, when the test gives it
        return self._page(f"/repos/{self.repo}/pulls/{n}/files", query, files)

    def _list_review_comments(self, query: dict[str, str], body: Any, n: str) -> tuple[int, Any, dict[str, str]]:
        pull = self._pull(n)
        return self._not_found() if pull is None else self._page(
            f"/repos/{self.repo}/pulls/{n}/comments", query, [self.review_comment_json(c) for c in pull.comments])

    def _list_reviews(self, query: dict[str, str], body: Any, n: str) -> tuple[int, Any, dict[str, str]]:
        pull = self._pull(n)
        return self._not_found() if pull is None else self._page(f"/repos/{self.repo}/pulls/{n}/reviews", query,
                                                                 pull.reviews)

    @staticmethod
    def _unprocessable(*errors: str) -> tuple[int, Any, dict[str, str]]:
        return 422, {"message": "Unprocessable Entity", "errors": list(errors),
                     "documentation_url": f"{DOCS}/pulls/reviews#create-a-review-for-a-pull-request",
                     "status": "422"}, {}

    def _create_review(self, query: dict[str, str], body: Any, n: str) -> tuple[int, Any, dict[str, str]]:
        pull = self._pull(n)
        if pull is None:
            return self._not_found()
        body = body or {}
        if body.get("commit_id") not in (None, pull.head_sha):
            return self._unprocessable("commit_id is not part of the pull request")
        if body.get("event") not in (None, "COMMENT", "APPROVE", "REQUEST_CHANGES"):
            return self._unprocessable("event is not included in the list")
        if len(body.get("body") or "") > MAX_BODY:
            return self._unprocessable(f"Body is too long (maximum is {MAX_BODY} characters)")
        files = {f["filename"]: f for f in pull.files}
        for c in body.get("comments") or []:
            if len(c.get("body") or "") > MAX_BODY:
                return self._unprocessable(f"Body is too long (maximum is {MAX_BODY} characters)")
            f = files.get(c.get("path"))
            if f is None:
                return self._unprocessable("Path could not be resolved")
            visible = right_side_lines(f.get("patch"))
            if c.get("side", "RIGHT") != "RIGHT" or c.get("line") not in visible:
                return self._unprocessable("Line could not be resolved")
            if c.get("start_line") is not None and (c["start_line"] not in visible or c["start_line"] >= c["line"]):
                return self._unprocessable("Pull request review thread line must be part of the diff")
        rid = next(self._ids)
        review = {"id": rid, "body": body.get("body") or "", "state": "COMMENTED" if body.get("event") else "PENDING",
                  "commit_id": pull.head_sha, "user": {"login": "github-actions[bot]", "type": "Bot"},
                  "html_url": self._html(f"/pull/{n}#pullrequestreview-{rid}"),
                  "pull_request_url": self._url(f"/pulls/{n}")}
        pull.reviews.append(review)
        for c in body.get("comments") or []:
            cid = next(self._ids)
            pull.comments.append({"id": cid, "pull_request_review_id": rid, "body": c.get("body", ""),
                                  "in_reply_to_id": None, "reactions": {},
                                  "path": c["path"], "line": c["line"], "side": "RIGHT",
                                  "start_line": c.get("start_line"), "commit_id": pull.head_sha,
                                  "user": review["user"], "url": self._url(f"/pulls/comments/{cid}"),
                                  "html_url": self._html(f"/pull/{n}#discussion_r{cid}")})
        return 200, review, {}

    def _tree(self, ref: str) -> dict[str, bytes]:
        return {path: data for (r, path), data in self.contents.items() if r == ref}

    def _compare(self, query: dict[str, str], body: Any, base: str, head: str) -> tuple[int, Any, dict[str, str]]:
        """GET /compare/{base}...{head} from the trees set for both refs: status, counts, files with patches
        (as GitHub: renames not detected here, at most 300 files)."""
        old, new = self._tree(base), self._tree(head)
        if not old or not new:
            return 404, {"message": "Not Found", "documentation_url": DOCS}, {}
        files = []
        for path in sorted(set(old) | set(new)):
            a, b = old.get(path), new.get(path)
            if a == b:
                continue
            a_text = a.decode() if a is not None else ""
            b_text = b.decode() if b is not None else ""
            diff = list(difflib.unified_diff(a_text.splitlines(), b_text.splitlines(), lineterm="", n=3))[2:]
            patch = "\n".join(diff)
            status = "added" if a is None else "removed" if b is None else "modified"
            files.append({"sha": "0" * 40, "filename": path, "status": status, "patch": patch,
                          "additions": sum(1 for x in diff if x.startswith("+")),
                          "deletions": sum(1 for x in diff if x.startswith("-")), "changes": len(diff)})
        status = self.compare_status.get((base, head), "ahead" if files else "identical")
        return 200, {"url": self._url(f"/compare/{base}...{head}"), "status": status,
                     "ahead_by": 1 if files else 0, "behind_by": 1 if status == "diverged" else 0,
                     "total_commits": 1, "commits": [], "files": files[:300]}, {}

    def _get_contents(self, query: dict[str, str], body: Any, path: str) -> tuple[int, Any, dict[str, str]]:
        ref = query.get("ref", "main")
        data = self.contents.get((ref, path))
        if data is None:
            return self._not_found()
        encoded = base64.encodebytes(data).decode()  # GitHub wraps base64 at 60-76 columns too
        return 200, {"type": "file", "encoding": "base64", "size": len(data), "name": path.rsplit("/", 1)[-1],
                     "path": path, "content": encoded, "sha": "1" * 40,
                     "url": self._url(f"/contents/{path}?ref={ref}")}, {}

    def _permission(self, query: dict[str, str], body: Any, user: str) -> tuple[int, Any, dict[str, str]]:
        if user not in self.permissions:
            return 404, {"message": f"{user} is not a user", "documentation_url": DOCS}, {}
        perm = self.permissions[user]
        legacy = {"maintain": "write", "triage": "read"}.get(perm, perm)
        return 200, {"permission": legacy, "role_name": perm, "user": {"login": user}}, {}

    def _issue_json(self, issue: dict[str, Any]) -> dict[str, Any]:
        n = issue["number"]
        out = {"url": self._url(f"/issues/{n}"), "html_url": self._html(f"/issues/{n}"), "number": n, "id": n,
               "title": issue["title"], "body": issue["body"], "state": issue["state"],
               "labels": [{"name": label} for label in issue["labels"]], "user": _user(issue["user"])}
        if issue.get("is_pull"):
            out["pull_request"] = {"url": self._url(f"/pulls/{n}")}
        return out

    def _list_issues(self, query: dict[str, str], body: Any) -> tuple[int, Any, dict[str, str]]:
        state = query.get("state", "open")
        wanted = set(filter(None, query.get("labels", "").split(",")))
        items = [self._issue_json(i) for _, i in sorted(self.issues.items(), reverse=True)
                 if (state == "all" or i["state"] == state) and wanted <= set(i["labels"])]
        return self._page(f"/repos/{self.repo}/issues", query, items)

    def _create_issue(self, query: dict[str, str], body: Any) -> tuple[int, Any, dict[str, str]]:
        if len(body.get("body") or "") > MAX_BODY:
            return 422, {"message": "Validation Failed", "errors": [
                {"resource": "Issue", "code": "custom", "field": "body",
                 "message": f"body is too long (maximum is {MAX_BODY} characters)"}], "documentation_url": DOCS}, {}
        n = max(self.issues, default=0) + 1
        self.issues[n] = {"number": n, "title": body["title"], "body": body.get("body") or "", "state": "open",
                          "labels": list(body.get("labels") or []), "user": "github-actions[bot]"}
        return 201, self._issue_json(self.issues[n]), {}

    def _get_issue(self, query: dict[str, str], body: Any, n: str) -> tuple[int, Any, dict[str, str]]:
        issue = self.issues.get(int(n))
        return self._not_found() if issue is None else (200, self._issue_json(issue), {})

    def _edit_issue(self, query: dict[str, str], body: Any, n: str) -> tuple[int, Any, dict[str, str]]:
        issue = self.issues.get(int(n))
        if issue is None:
            return self._not_found()
        if len(body.get("body") or "") > MAX_BODY:
            return 422, {"message": "Validation Failed", "errors": [
                {"resource": "Issue", "code": "custom", "field": "body",
                 "message": f"body is too long (maximum is {MAX_BODY} characters)"}], "documentation_url": DOCS}, {}
        for key in ("title", "body", "state", "labels"):
            if key in body:
                issue[key] = body[key]
        return 200, self._issue_json(issue), {}

    def _comment_json(self, c: dict[str, Any]) -> dict[str, Any]:
        return {"id": c["id"], "body": c["body"], "user": _user(c["user"]),
                "url": self._url(f"/issues/comments/{c['id']}"),
                "html_url": self._html(f"/issues/{c['issue']}#issuecomment-{c['id']}"),
                "issue_url": self._url(f"/issues/{c['issue']}")}

    def _get_issue_comment(self, query: dict[str, str], body: Any, cid: str) -> tuple[int, Any, dict[str, str]]:
        c = self.issue_comments.get(int(cid))
        return self._not_found() if c is None else (200, self._comment_json(c), {})

    def _create_issue_comment(self, query: dict[str, str], body: Any, n: str) -> tuple[int, Any, dict[str, str]]:
        if int(n) not in self.issues:
            return self._not_found()
        cid = self.add_issue_comment(int(n), body["body"], user="github-actions[bot]")
        return 201, self._comment_json(self.issue_comments[cid]), {}

    def _react(self, query: dict[str, str], body: Any, cid: str) -> tuple[int, Any, dict[str, str]]:
        if int(cid) not in self.issue_comments:
            return self._not_found()
        if body.get("content") not in {"+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes"}:
            return self._unprocessable("content is not included in the list")
        reaction = {"id": next(self._ids), "content": body["content"], "comment_id": int(cid),
                    "user": _user("github-actions[bot]")}
        self.reactions.append(reaction)
        return 201, reaction, {}
