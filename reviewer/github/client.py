"""The PyGithub client, with bounded retries, and GitHub errors translated into ours.

Retries are PyGithub's own ``GithubRetry`` (a ``urllib3.Retry`` that also understands GitHub's
rate-limit 403s), configured with bounds and two additions:

* a budget on the total time spent waiting, with an injectable sleep (tests do not wait);
* a request that may have reached GitHub (a read timeout, a dropped connection) is never resent
  unless it is idempotent: a create-review POST is retried only when GitHub ANSWERED with an error.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import github
import requests
from github import Auth, GithubException, GithubRetry
from github.NamedUser import NamedUser
from urllib3.exceptions import MaxRetryError, ResponseError

from reviewer.errors import PublishError, ReadOnlyTokenError, UsageError

DEFAULT_API_URL = "https://api.github.com"

# GitHub docs, "Best practices for using the REST API" > "Handle rate limit errors appropriately"
# (docs.github.com/rest/using-the-rest-api/best-practices-for-using-the-rest-api, read 2025):
#   "If the retry-after response header is present, you should not retry your request until after
#    that many seconds has elapsed. [...] Otherwise, wait for at least one minute before retrying.
#    If your request continues to fail due to a secondary rate limit, wait for an exponentially
#    increasing amount of time between retries, and throw an error after a specific number of retries."
SECONDARY_RATE_WAIT = 60.0  # seconds, when a secondary-rate-limit 403 carries no Retry-After
MAX_RETRIES = 4  # per request; then the last error answer is raised
MAX_TOTAL_WAIT = 150.0  # seconds of waiting per run, over all requests, before giving up
BACKOFF_FACTOR = 1.0  # urllib3: 0 s, 2 s, 4 s, ... between retries of 5xx answers
RETRY_STATUSES = [429, *range(500, 600)]  # GithubRetry adds 403 and keeps only rate-limit 403s
REQUEST_TIMEOUT = 30  # seconds per HTTP request
PER_PAGE = 100  # the REST API's maximum page size
# Same page, "Avoid concurrent requests" (we are serial) and "Pause between mutative requests: If you
# are making a large number of POST, PATCH, PUT, or DELETE requests, wait at least one second between
# each request." PyGithub paces writes for us; its default 0.25 s between reads is not asked for.
SECONDS_BETWEEN_WRITES = 1.0
GAVE_UP_HEADER = "X-Arch-Review-Gave-Up"  # set on the last answer when the retries stop (see _say_why)
_IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})


@dataclass
class WaitBudget:
    """Time spent waiting between retries, shared by every request of one run."""

    limit: float = MAX_TOTAL_WAIT
    sleep: Callable[[float], None] = time.sleep
    spent: float = 0.0
    waits: list[float] = field(default_factory=list)

    def allows(self, seconds: float) -> bool:
        return self.spent + seconds <= self.limit

    def wait(self, seconds: float) -> None:
        self.spent += seconds
        self.waits.append(seconds)
        if seconds > 0:
            self.sleep(seconds)


class BoundedRetry(GithubRetry):
    """``GithubRetry`` with a run-wide wait budget and no blind resend of non-idempotent requests."""

    def __init__(self, budget: WaitBudget | None = None, **kwargs: Any) -> None:
        self.budget = budget or WaitBudget()
        super().__init__(**kwargs)

    def new(self, **kw: Any) -> BoundedRetry:
        kw["budget"] = self.budget
        return super().new(**kw)  # type: ignore[return-value]

    def increment(self, method: str | None = None, url: str | None = None, response: Any = None,
                  error: Exception | None = None, _pool: Any = None, _stacktrace: Any = None) -> BoundedRetry:
        if error is not None and response is None and (method or "").upper() not in _IDEMPOTENT \
                and not self._is_connection_error(error):
            raise error  # GitHub may have acted on it (a review posted twice is worse than none)
        try:
            retry = super().increment(method, url, response, error, _pool, _stacktrace)
        except MaxRetryError:
            self._say_why(response, "retries")
            raise
        delay = retry._delay(response)
        if not self.budget.allows(delay):
            self._say_why(response, f"wait budget, and GitHub asked for {delay:.0f} s more")
            raise MaxRetryError(_pool, url, ResponseError("retry wait budget spent"))  # type: ignore[arg-type]
        return retry  # type: ignore[return-value]

    def _say_why(self, response: Any, spent: str) -> None:
        """Giving up on an answer: urllib3 then hands the LAST answer to PyGithub, whose exception keeps
        its headers; one header of ours tells ``translate`` how long we waited and why we stopped."""
        if response is not None and getattr(response, "headers", None) is not None:
            response.headers[GAVE_UP_HEADER] = f"waited {self.budget.spent:.0f} s over {len(self.budget.waits)} " \
                                               f"retries, then stopped: out of {spent}"

    def _delay(self, response: Any) -> float:
        if self.respect_retry_after_header and response is not None:
            after = self.get_retry_after(response)
            if after:
                return after  # never earlier than GitHub asked; too long for the budget = give up
        return self.get_backoff_time()

    def sleep(self, response: Any = None) -> None:
        self.budget.wait(self._delay(response))


def make_retry(budget: WaitBudget) -> BoundedRetry:
    return BoundedRetry(
        budget=budget, total=MAX_RETRIES, backoff_factor=BACKOFF_FACTOR, status_forcelist=RETRY_STATUSES,
        secondary_rate_wait=SECONDARY_RATE_WAIT, max_rate_limit_wait=MAX_TOTAL_WAIT,
        raise_on_status=False,  # when retries run out, PyGithub raises with GitHub's own answer
    )


def connect(token: str, api_url: str | None = None, budget: WaitBudget | None = None,
            timeout: int = REQUEST_TIMEOUT, write_pause: float | None = None) -> github.Github:
    """A client for github.com or GHES (``GITHUB_API_URL``, e.g. https://ghe.example.com/api/v3).

    Does no I/O: the first request happens on first use."""
    if not token:
        raise UsageError("no GitHub token: set the github-token input")
    return github.Github(auth=Auth.Token(token), base_url=(api_url or DEFAULT_API_URL).rstrip("/"),
                         retry=make_retry(budget or WaitBudget()), timeout=timeout,
                         per_page=PER_PAGE, seconds_between_requests=None,
                         seconds_between_writes=SECONDS_BETWEEN_WRITES if write_pause is None else write_pause or None)


SNIPPET = 120  # characters of an unreadable answer quoted in the error


def snippet(text: object) -> str:
    """An answer's first characters on one line, for an error message."""
    flat = " ".join(str(text or "").split())
    if not flat:
        return "(empty body)"
    return flat if len(flat) <= SNIPPET else flat[:SNIPPET] + "…"


def _message(exc: GithubException) -> str:
    data = exc.data
    if isinstance(data, dict):
        text = str(data.get("message") or "")
        errors = data.get("errors")
        if errors:
            text += ": " + "; ".join(str(e.get("message", e)) if isinstance(e, dict) else str(e) for e in errors)
        return text or snippet(data.get("data", data))  # PyGithub keeps a non-JSON body as {"data": ...}
    return snippet(data)


def raw_answer(requester: Any, url: str) -> tuple[int | None, str]:
    """(status, snippet) of one GET, read raw: what an answer PyGithub could not read really was."""
    try:
        status, _, body = requester.requestJson("GET", url, parameters={"per_page": PER_PAGE})
    except requests.exceptions.RequestException as exc:
        return None, f"no answer ({exc.__class__.__name__})"
    return status, snippet(body)


def translate(exc: Exception, doing: str) -> PublishError:
    """A PyGithub or transport error as ours, by type; GitHub's own message is kept."""
    if isinstance(exc, GithubException):
        message = _message(exc)
        if exc.status == 403 and "resource not accessible by integration" in message.lower():
            return ReadOnlyTokenError(f"the token cannot {doing} ({message}); fork PRs get a read-only token",
                                      exc.status)
        gave_up = next((v for k, v in (exc.headers or {}).items() if k.lower() == GAVE_UP_HEADER.lower()), None)
        if gave_up and exc.status in (403, 429):
            return PublishError(f"GitHub's rate limit did not lift while trying to {doing}: {gave_up} "
                                f"(HTTP {exc.status}: {message})", exc.status)
        if gave_up:
            return PublishError(f"GitHub answered {exc.status} to {doing} ({gave_up}): {message}", exc.status)
        return PublishError(f"GitHub answered {exc.status} to {doing}: {message}", exc.status)
    if isinstance(exc, requests.exceptions.RetryError):
        return PublishError(f"GitHub kept failing while trying to {doing}: {exc.__class__.__name__}")
    return PublishError(f"could not reach GitHub to {doing}: {exc.__class__.__name__}")


@contextmanager
def calling(doing: str) -> Iterator[None]:
    """Translate errors of the PyGithub calls inside into PublishError / ReadOnlyTokenError."""
    try:
        yield
    except (GithubException, requests.exceptions.RequestException) as exc:
        raise translate(exc, doing) from exc


def is_transport_error(exc: BaseException) -> bool:
    """True when GitHub never answered (a timeout, a dropped connection): it may have acted anyway."""
    cause = exc.__cause__ if isinstance(exc, PublishError) else exc
    return isinstance(cause, requests.exceptions.RequestException) and \
        not isinstance(cause, requests.exceptions.RetryError)


def own_login(gh: github.Github) -> str | None:
    """The token's own account when GitHub tells it (a personal token); None for GITHUB_TOKEN, which
    may not read ``GET /user`` ("Resource not accessible by integration")."""
    try:
        with calling("read the token's account"):
            return gh.get_user().login
    except PublishError:
        return None


def written_by_us(user: NamedUser | None, login: str | None) -> bool:
    """Markers count only from a bot account (GITHUB_TOKEN posts as github-actions[bot]) or from the
    token's own account: a marker pasted by a person must not silence a finding. (GitHub sends the
    author's ``login`` and ``type`` with every comment, so reading them costs no request.)"""
    if user is None:
        return False
    return user.type == "Bot" or (login is not None and user.login == login)
