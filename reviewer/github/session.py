"""What the Action asks of GitHub, as one small typed seam. ``action.py`` receives a ``Session``
and never touches a PyGithub object; ``PyGithubSession`` is the real one.

    trusted(event) · acknowledge(event) · reply(event, body)   the /arch-review comment trigger
    pr_state(number) -> PrState                                 what earlier commands left on the PR
    open_pull(number, workspace) -> (PullInfo, PullChange)      the PR, its files and contents
    read_config(path, ref) · publish(...) -> PublishResult      the one review, and the threads tidied
    model_since(head) -> (ChangeSet | None, why)                what changed since the model's last review
    sync_tracking_issue(...) -> TrackingResult                  the audit's one issue
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from pathlib import Path
from typing import Protocol

from github.IssueComment import IssueComment
from github.PaginatedList import PaginatedList

from reviewer.commands import PrState
from reviewer.diff import ChangeSet
from reviewer.errors import PublishError
from reviewer.github.client import WaitBudget, calling, connect, own_login, written_by_us
from reviewer.github.event import Event, is_trusted, may_write
from reviewer.github.history import changes_since
from reviewer.github.publisher import Publisher, PublishResult
from reviewer.github.pull import PullChange, PullInfo, load_change, pull_info, read_config
from reviewer.github.threads import Conversation, read_conversation, read_threads, tidy
from reviewer.github.tracking_issue import TrackingResult, sync_tracking_issue
from reviewer.model import Finding, Severity
from reviewer.render.markdown import Links
from reviewer.render.markers import model_head_in
from reviewer.render.service_change import Drawn
from reviewer.routing import DEFAULT_MIN_INLINE


class Session(Protocol):
    def trusted(self, event: Event) -> tuple[bool, str]: ...

    def acknowledge(self, event: Event) -> None: ...

    def reply(self, event: Event, body: str) -> None: ...

    def pr_state(self, number: int) -> PrState: ...

    def open_pull(self, number: int, workspace: Path | None) -> tuple[PullInfo, PullChange]: ...

    def read_config(self, path: str, ref: str) -> str | None: ...

    def publish(self, findings: Sequence[Finding], changes: ChangeSet, max_inline: int, notes: Sequence[str],
                links: Links | None, min_inline: Severity = DEFAULT_MIN_INLINE,
                extra: Sequence[str] = (), *,
                present: Collection[str] | None = None, skip_rules: Collection[str] = (),
                unread: Collection[str] = (), drawn: Drawn | None = None) -> PublishResult: ...

    def model_since(self, head_sha: str) -> tuple[ChangeSet | None, str]: ...

    def sync_tracking_issue(self, findings: Sequence[Finding], links: Links | None, run_url: str | None,
                            service_roots: Sequence[str], service_map: str | None) -> TrackingResult: ...


class PyGithubSession:
    """One repository through PyGithub. Constructing it does no I/O; each method is one job."""

    def __init__(self, token: str, api_url: str, repository: str, sleep: Callable[[float], None],
                 write_pause: float | None = None) -> None:
        self.gh = connect(token, api_url, WaitBudget(sleep=sleep), write_pause=write_pause)
        self.repository = repository
        self._repo = None
        self._pull = None
        self._own_login: str | bool | None = False  # False: not asked yet
        self._conv: Conversation | None = None
        self._dismissers: dict[str, bool] = {}

    @property
    def repo(self):
        if self._repo is None:
            with calling(f"read {self.repository}"):
                self._repo = self.gh.get_repo(self.repository)
        return self._repo

    def trusted(self, event: Event) -> tuple[bool, str]:
        return is_trusted(self.repo, event)

    def acknowledge(self, event: Event) -> None:
        with calling("react to the comment"):
            self.repo.get_issue(event.pr_number).get_comment(event.comment_id).create_reaction("eyes")

    def reply(self, event: Event, body: str) -> None:
        with calling("reply on the pull request"):
            self.repo.get_issue(event.pr_number).create_comment(body)

    def open_pull(self, number: int, workspace: Path | None) -> tuple[PullInfo, PullChange]:
        with calling(f"read PR #{number}"):
            self._pull = self.repo.get_pull(number)
            self._conv = None
            info = pull_info(self._pull, self.repository)
        return info, load_change(self.repo, self._pull, info, workspace)

    def read_config(self, path: str, ref: str) -> str | None:
        return read_config(self.repo, path, ref)

    def pr_state(self, number: int) -> PrState:
        """The state the last of our state comments recorded (GET /issues/{n}/comments, all pages)."""
        login = self._login()
        with calling(f"read the comments of PR #{number}"):
            # the listing alone (one request a page), without first fetching the issue itself
            comments = PaginatedList(IssueComment, self.gh.requester, f"{self.repo.url}/issues/{number}/comments",
                                     None)
            bodies = [c.body for c in comments if written_by_us(c.user, login)]
        return PrState.read(bodies) or PrState()

    def _conversation(self) -> Conversation:
        """Our comments and review bodies on the PR, read once a run (model_since, then publish)."""
        if self._conv is None:
            assert self._pull is not None
            self._conv = read_conversation(self._pull, self._login(), self._may_dismiss)
        return self._conv

    def _may_dismiss(self, login: str, association: str | None) -> bool:
        """The PR's author and people with write access dismiss findings (asked once a person)."""
        assert self._pull is not None
        if login == self._pull.user.login:
            return True
        if login not in self._dismissers:
            try:
                self._dismissers[login] = may_write(self.repo, login, association)[0]
            except PublishError:  # a token that may not read permissions: the dismissal is not taken
                self._dismissers[login] = False
        return self._dismissers[login]

    def _login(self) -> str | None:
        if self._own_login is False:
            self._own_login = own_login(self.gh)
        return self._own_login  # type: ignore[return-value]

    def publish(self, findings: Sequence[Finding], changes: ChangeSet, max_inline: int, notes: Sequence[str],
                links: Links | None, min_inline: Severity = DEFAULT_MIN_INLINE,
                extra: Sequence[str] = (), *,
                present: Collection[str] | None = None, skip_rules: Collection[str] = (),
                unread: Collection[str] = (), drawn: Drawn | None = None) -> PublishResult:
        """Post what is new (``extra``: lines for the body, such as the model's reviewed head), then
        tidy the threads of what the head no longer has (``present``: the
        fingerprints of every finding at the head, new or not; None: leave the threads alone;
        ``unread``: changed files the rules did not read, whose comments are left alone)."""
        if self._pull is None:
            raise RuntimeError("open_pull() before publish()")
        head_sha = changes.head_sha or self._pull.head.sha
        conv = self._conversation()
        if conv.needs_threads:
            read_threads(self.gh, self._pull, self.repository, conv, self._login())
        drawing = drawn.lines() if drawn is not None and not any(drawn.marker in b for b in conv.bodies) else []
        result = Publisher(self.gh, self._pull, head_sha, links).publish(
            findings, changes, max_inline, notes, [*drawing, *extra], min_inline=min_inline, seen=conv.memory(),
            post_extra_alone=bool(drawing))
        result.dismissed = len(conv.dismissed)
        if conv.ignored_dismissers:
            result.notes.append(f"a dismissal by {', '.join(f'@{u}' for u in conv.ignored_dismissers)} was not taken: "
                                "only the PR's author and people with write access dismiss findings")
        if present is not None:
            tidied = tidy(self.gh, self._pull, self.repository, conv, present, head_sha, frozenset(skip_rules),
                          frozenset(unread))
            result.fixed, result.resolved = tidied.fixed, tidied.resolved
            result.notes += tidied.notes
        return result

    def model_since(self, head_sha: str) -> tuple[ChangeSet | None, str]:
        """The diff from the head the model last reviewed to ``head_sha``; (None, why) for a full review."""
        if self._pull is None:
            raise RuntimeError("open_pull() before model_since()")
        last = model_head_in(*self._conversation().bodies)
        if last is None:
            return None, ""  # the first model review of this pull request: full, nothing to explain
        return changes_since(self.repo, last, head_sha)

    def sync_tracking_issue(self, findings: Sequence[Finding], links: Links | None, run_url: str | None,
                            service_roots: Sequence[str], service_map: str | None) -> TrackingResult:
        return sync_tracking_issue(self.repo, findings, links, run_url, tuple(service_roots), service_map,
                                   login=self._login())
