"""The edge to Claude: the ONLY module that imports ``anthropic``, and only when a request is made.

Retries. The SDK retries by itself; from anthropic/_base_client.py (SDK 2.14.0, read in
.venv/lib/python3.11/site-packages/anthropic/):

    DEFAULT_MAX_RETRIES = 2; INITIAL_RETRY_DELAY = 0.5; MAX_RETRY_DELAY = 8.0     (_constants.py)
    _should_retry: "If the server explicitly says whether or not to retry, obey" (x-should-retry);
        retries 408 ("request timeouts"), 409 ("lock timeouts"), 429 ("rate limits") and >= 500
        ("internal errors", so 529 overloaded too); connection errors and timeouts are retried as well.
    _calculate_retry_timeout: "If the API asks us to wait a certain amount of time, just do what it
        says" (retry-after-ms, then retry-after in seconds or as a date); otherwise
        min(0.5 * 2**n, 8.0) seconds with up to 25% jitter.

So one call is at most 1 + max_retries attempts. On top of that we make at most ONE more attempt
for the same transient errors, after the server's Retry-After when it is short enough (otherwise
we give up at once): a bounded total, and a rate-limited run degrades into a note instead of
stalling the pipeline.
"""

from __future__ import annotations

import email.utils
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from reviewer.config import ModelSettings
from reviewer.errors import ModelError
from reviewer.llm.prompt import TOOL_NAME

REQUEST_TIMEOUT_S = 120.0  # one review answer is a few thousand tokens at most
SDK_MAX_RETRIES = 2  # the SDK's own default, stated here so the bound is visible
OUR_RETRY_MAX_WAIT_S = 30.0  # a longer Retry-After means "not now": give up and leave a note
OUR_RETRY_DEFAULT_WAIT_S = 2.0


@dataclass(frozen=True)
class Reply:
    """What we keep of a Messages API answer: plain values, no SDK types past this module."""

    tool_inputs: list[object]
    stop_reason: str | None
    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0


@dataclass
class ClientStats:
    attempts: int = 0  # our calls into the SDK (each may hide SDK retries)
    bytes_sent: int = 0  # JSON bodies of those calls, as built
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)


class AnthropicModelClient:
    """Messages API calls for the review. Building it does no I/O and imports nothing heavy."""

    def __init__(self, settings: ModelSettings, api_key: str | None = None, base_url: str | None = None,
                 timeout: float = REQUEST_TIMEOUT_S, max_retries: int = SDK_MAX_RETRIES,
                 retry_wait: float = OUR_RETRY_DEFAULT_WAIT_S, sleep: Callable[[float], None] = time.sleep) -> None:
        self.settings = settings
        self._api_key = api_key
        self._base_url = base_url
        self._timeout = timeout
        self._max_retries = max_retries
        self._retry_wait = retry_wait
        self._sleep = sleep
        self._sdk: Any = None
        self._lock = threading.Lock()
        self.stats = ClientStats()

    def _client(self) -> Any:
        with self._lock:
            if self._sdk is None:
                self._sdk = self._build()
            return self._sdk

    def _build(self) -> Any:
        import anthropic

        s = self.settings
        common: dict[str, Any] = {"max_retries": self._max_retries, "timeout": self._timeout}
        try:
            if s.provider == "bedrock":
                return anthropic.AnthropicBedrock(aws_region=s.region, base_url=self._base_url, **common)
            if s.provider == "vertex":
                kwargs = {k: v for k, v in (("region", s.region), ("project_id", s.project_id)) if v}
                return anthropic.AnthropicVertex(base_url=self._base_url, **kwargs, **common)
            return anthropic.Anthropic(api_key=self._api_key, base_url=self._base_url, **common)
        except (ValueError, anthropic.AnthropicError) as exc:
            raise ModelError(f"cannot set up the {s.provider} client: {exc}") from exc

    def warm(self) -> None:
        """Import the SDK and build the client now (benchmarks keep that second out of their timing)."""
        self._client()

    def count_tokens(self, *, system: list[dict[str, Any]], tools: list[dict[str, Any]],
                     messages: list[dict[str, Any]]) -> int | None:
        """The server's token count, or None when it cannot count (Bedrock, proxies): we estimate then."""
        import anthropic

        try:
            result = self._client().with_options(max_retries=0).messages.count_tokens(
                model=self.settings.name, system=system, tools=tools, messages=messages)
        except anthropic.AnthropicError:
            return None
        return int(result.input_tokens)

    def create(self, *, system: list[dict[str, Any]], tools: list[dict[str, Any]], tool_choice: dict[str, Any],
               messages: list[dict[str, Any]], max_tokens: int, thinking: dict[str, Any] | None = None) -> Reply:
        import anthropic

        params: dict[str, Any] = {"model": self.settings.name, "max_tokens": max_tokens, "system": system,
                                  "tools": tools, "tool_choice": tool_choice, "messages": messages}
        if thinking is not None:
            params["thinking"] = thinking
        size = len(json.dumps(params).encode())
        for attempt in (1, 2):
            with self.stats.lock:
                self.stats.attempts += 1
                self.stats.bytes_sent += size
            try:
                message = self._client().messages.create(**params)
            except anthropic.AnthropicError as exc:
                wait = self._our_retry_wait(exc) if attempt == 1 else None
                if wait is None:
                    raise translate(exc, self.settings, self._timeout) from exc
                self._sleep(wait)
                continue
            return _reply(message)
        raise AssertionError("unreachable")  # the loop returns or raises

    def _our_retry_wait(self, exc: Exception) -> float | None:
        """Seconds to wait before our one extra attempt, or None when the error is not transient."""
        import anthropic

        if isinstance(exc, anthropic.APIConnectionError):  # includes APITimeoutError
            return self._retry_wait
        if not isinstance(exc, anthropic.RateLimitError | anthropic.InternalServerError
                          | anthropic.RequestTimeoutError | anthropic.ConflictError):
            return None
        after = retry_after_seconds(exc.response.headers)
        if after is None:
            return self._retry_wait
        return after if after <= OUR_RETRY_MAX_WAIT_S else None


def retry_after_seconds(headers: Any) -> float | None:
    """``retry-after-ms``, then ``retry-after`` as seconds or an HTTP date (as the SDK reads them)."""
    for name, scale in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is None:
            continue
        try:
            return max(0.0, float(value) / scale)
        except ValueError:
            parsed = email.utils.parsedate_tz(value)
            if parsed is not None:
                return max(0.0, email.utils.mktime_tz(parsed) - time.time())
    return None


def translate(exc: Exception, settings: ModelSettings, timeout: float) -> ModelError:
    """anthropic's exception types -> one readable ModelError (by type, never by message text)."""
    import anthropic

    if isinstance(exc, anthropic.APITimeoutError):
        problem = f"timed out after {timeout:g} s"
    elif isinstance(exc, anthropic.APIConnectionError):
        problem = "could not be reached"
    elif isinstance(exc, anthropic.AuthenticationError):
        problem = "rejected the API key (401)"
    elif isinstance(exc, anthropic.PermissionDeniedError):
        problem = "refused access with this key (403)"
    elif isinstance(exc, anthropic.NotFoundError):
        problem = f"does not know the model {settings.name!r} (404)"
    elif isinstance(exc, anthropic.RateLimitError):
        problem = "rate-limited the run (429)"
    elif isinstance(exc, anthropic.OverloadedError):
        problem = "is overloaded (529)"
    elif isinstance(exc, anthropic.InternalServerError):
        problem = f"failed with a server error ({exc.status_code})"
    elif isinstance(exc, anthropic.BadRequestError):
        detail = f": {exc.api_message[:200]}" if exc.api_message else ""
        problem = f"refused the request (400){detail}"
    elif isinstance(exc, anthropic.APIStatusError):
        problem = f"answered HTTP {exc.status_code}"
    else:
        problem = f"could not be used ({type(exc).__name__})"
    retried = isinstance(exc, anthropic.APIConnectionError | anthropic.RateLimitError
                         | anthropic.InternalServerError)
    return ModelError(f"the {settings.provider} API {problem}" + (" after retries" if retried else ""))


def _reply(message: Any) -> Reply:
    inputs = [block.input for block in message.content
              if getattr(block, "type", None) == "tool_use" and getattr(block, "name", None) == TOOL_NAME]
    usage = message.usage
    return Reply(
        tool_inputs=inputs, stop_reason=message.stop_reason,
        input_tokens=usage.input_tokens or 0, output_tokens=usage.output_tokens or 0,
        cache_read_tokens=usage.cache_read_input_tokens or 0,
        cache_write_tokens=usage.cache_creation_input_tokens or 0)
