"""A loopback fake of the Anthropic Messages API, driven by the REAL anthropic client via base_url.

    with FakeAnthropic(answer=echo_answer, latency=0.2) as fake:
        client = anthropic.Anthropic(api_key="test", base_url=fake.base_url)

POST /v1/messages answers with a ``report_findings`` tool_use block (``answer(request) -> dict``
gives its input; return a list to send raw content blocks instead, e.g. a text-only answer) and a
usage object that models prompt caching: a request whose system block carries cache_control writes
the tools+system prefix to the cache once an answer completes, later requests read it.
POST /v1/messages/count_tokens counts (or 404s when ``count_tokens=False``). ``faults`` are served
first, in order, one per Messages request; ``down`` answers every Messages request with its fault.
Every request is recorded (path, headers, raw body, parsed JSON).
"""

from __future__ import annotations

import json
import math
import re
import threading
import time
import uuid
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

CHARS_PER_TOKEN = 4
_ERROR_TYPES = {400: "invalid_request_error", 401: "authentication_error", 403: "permission_error",
                404: "not_found_error", 429: "rate_limit_error", 500: "api_error", 503: "api_error",
                529: "overloaded_error"}


@dataclass(frozen=True)
class Fault:
    status: int = 529
    retry_after: float | None = 0.01  # seconds, sent as retry-after-ms and retry-after
    delay: float = 0.0  # seconds before answering (a value above the client timeout makes a timeout)


@dataclass
class Recorded:
    path: str
    headers: dict[str, str]
    body: bytes
    json: Any

    @property
    def user_text(self) -> str:
        parts = []
        for message in self.json.get("messages", []):
            content = message.get("content")
            if isinstance(content, str):
                parts.append(content)
            else:
                parts.extend(b.get("text", "") for b in content if isinstance(b, dict))
        return "\n".join(parts)


def _system_text(request: dict[str, Any]) -> str:
    system = request.get("system") or ""
    return system if isinstance(system, str) else "".join(b.get("text", "") for b in system)


def prompt_chars(request: dict[str, Any]) -> tuple[int, int]:
    """(cacheable prefix chars: tools + system, all chars), the fake's basis for token counts."""
    prefix = len(json.dumps(request.get("tools") or [])) + len(_system_text(request))
    rest = len(Recorded("", {}, b"", request).user_text)
    return prefix, prefix + rest


def tokens(chars: int) -> int:
    return math.ceil(chars / CHARS_PER_TOKEN)


_FILE = re.compile(r"^file: (\S+)", re.M)
_ADDED = re.compile(r"^[ \t]*(\d+) \+ ([ \t]*\S.*)$", re.M)  # an added line with code on it


def echo_answer(request: dict[str, Any]) -> dict[str, Any]:
    """One finding per file shown, on its first added line: lets tests see which files were sent."""
    text = Recorded("", {}, b"", request).user_text
    diff = text.split("<diff>", 1)[-1]
    findings = []
    blocks = _FILE.split(diff)[1:]
    for path, body in zip(blocks[::2], blocks[1::2], strict=True):
        added = _ADDED.search(body)
        if added:
            findings.append({"path": path, "line": int(added.group(1)), "severity": "warning",
                             "category": "resilience", "title": "Outbound call without a deadline",
                             "body": "A slow dependency holds this worker until the client gives up.",
                             "evidence": added.group(2).strip(),
                             "fix": "httpx.get(url, timeout=5.0)", "confidence": 0.9})
    return {"findings": findings}


@dataclass
class FakeAnthropic:
    answer: Callable[[dict[str, Any]], Any] = lambda request: {"findings": []}
    latency: float = 0.0
    faults: list[Fault] = field(default_factory=list)
    down: Fault | None = None
    count_tokens: bool = True
    requests: list[Recorded] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._cached: set[str] = set()
        self._server: ThreadingHTTPServer | None = None
        self.in_flight = 0
        self.max_in_flight = 0

    # -- lifecycle
    def __enter__(self) -> FakeAnthropic:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                fake._handle(self)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()

    @property
    def base_url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def message_requests(self) -> list[Recorded]:
        return [r for r in self.requests if r.path == "/v1/messages"]

    # -- serving
    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        body = h.rfile.read(int(h.headers.get("content-length") or 0))
        try:
            request = json.loads(body or b"{}")
        except ValueError:
            return self._send(h, 400, _error(400, "body is not JSON"))
        path = h.path.split("?", 1)[0]
        with self._lock:
            self.requests.append(Recorded(path, {k.lower(): v for k, v in h.headers.items()}, body, request))
        if path == "/v1/messages/count_tokens":
            if not self.count_tokens:
                return self._send(h, 404, _error(404, "Not found"))
            return self._send(h, 200, {"input_tokens": tokens(prompt_chars(request)[1])})
        if path != "/v1/messages":
            return self._send(h, 404, _error(404, f"no route {path}"))
        system = request.get("system")
        cacheable = isinstance(system, list) and any(b.get("cache_control") for b in system)
        cache_key = json.dumps([request.get("tools"), system], sort_keys=True) if cacheable else None
        with self._lock:
            fault = self.faults.pop(0) if self.faults else self.down
            cached = cache_key in self._cached  # as on the real API: only answers completed before count
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            time.sleep(self.latency + (fault.delay if fault else 0.0))
            if fault is not None:
                headers = {}
                if fault.retry_after is not None:
                    headers = {"retry-after-ms": str(int(fault.retry_after * 1000)),
                               "retry-after": str(math.ceil(fault.retry_after))}
                return self._send(h, fault.status, _error(fault.status, "scripted fault"), headers)
            self._send(h, 200, self._message(request, cache_key, cached))
            if cache_key is not None:
                with self._lock:
                    self._cached.add(cache_key)
        finally:
            with self._lock:
                self.in_flight -= 1

    def _message(self, request: dict[str, Any], cache_key: str | None, cached: bool) -> dict[str, Any]:
        produced = self.answer(request)
        if isinstance(produced, list):
            content = produced
        else:
            content = [{"type": "tool_use", "id": f"toolu_{uuid.uuid4().hex[:20]}", "name": "report_findings",
                        "input": produced}]
        prefix_chars, all_chars = prompt_chars(request)
        read = tokens(prefix_chars) if cache_key is not None and cached else 0
        write = tokens(prefix_chars) if cache_key is not None and not cached else 0
        uncached = tokens(all_chars) - read - write
        return {
            "id": f"msg_{uuid.uuid4().hex[:24]}", "type": "message", "role": "assistant",
            "model": request.get("model"), "content": content,
            "stop_reason": "tool_use" if any(b.get("type") == "tool_use" for b in content) else "end_turn",
            "stop_sequence": None,
            "usage": {"input_tokens": uncached, "output_tokens": tokens(len(json.dumps(content))),
                      "cache_creation_input_tokens": write, "cache_read_input_tokens": read},
        }

    @staticmethod
    def _send(h: BaseHTTPRequestHandler, status: int, payload: dict[str, Any],
              headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload).encode()
        h.send_response(status)
        h.send_header("content-type", "application/json")
        h.send_header("content-length", str(len(data)))
        h.send_header("request-id", f"req_{uuid.uuid4().hex[:20]}")
        for name, value in (headers or {}).items():
            h.send_header(name, value)
        h.end_headers()
        with suppress(BrokenPipeError, ConnectionResetError):  # the client timed out and left
            h.wfile.write(data)


def _error(status: int, message: str) -> dict[str, Any]:
    return {"type": "error", "error": {"type": _ERROR_TYPES.get(status, "api_error"), "message": message}}
