"""Outbound HTTP resilience: timeouts, retries, TLS verification."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from reviewer.classify import FileKind
from reviewer.model import Category, Severity
from reviewer.project import SourceFile
from reviewer.rules.registry import Hit, RuleContext, rule
from reviewer.sources.python_ast import HTTP_VERBS, has_star_kwargs, is_const, keyword, walk_own_body

_REQUESTS_CALLS = {f"requests.{v}" for v in HTTP_VERBS | {"request"}}
_HTTPX_CALLS = {f"httpx.{v}" for v in HTTP_VERBS | {"request", "stream"}}
_HTTPX_CLIENTS = {"httpx.Client", "httpx.AsyncClient"}
_URLOPEN = {"urllib.request.urlopen", "urllib3.request"}


def _handler_lines(f: SourceFile) -> set[int]:
    """Line numbers of every node inside a route handler or dependency (for E-vs-W grading)."""
    mod = f.python
    lines: set[int] = set()
    if mod is None:
        return lines
    for fn in mod.handler_functions:
        for node in walk_own_body(fn):
            if isinstance(node, ast.Call):
                lines.add(node.lineno)
    return lines


@rule("http-call-without-timeout", kinds={FileKind.PYTHON}, category=Category.RESILIENCE,
      severity=Severity.WARNING, equivalents=("S113", "use-timeout", "request-without-timeout"))
def call_without_timeout(f: SourceFile, ctx: RuleContext) -> Iterator[Hit]:
    """Outbound HTTP call without a timeout

    Why: `requests` and `urllib` wait forever by default, and `aiohttp` waits 300 s. One slow
    dependency then holds every worker of this service, and the outage cascades upstream. Inside
    a route handler it is an error: the caller's own timeout fires first and retries pile up.

    Fix:
        # pass an explicit (connect, read) timeout on every call
        resp = requests.get(f"{INVENTORY_URL}/items/{item_id}", timeout=(3.05, 10))
        # or share one client configured once
        client = httpx.AsyncClient(timeout=httpx.Timeout(5.0, connect=2.0))
    """
    mod = f.python
    if mod is None:
        return
    in_handler = _handler_lines(f)
    for node in ast.walk(mod.tree):
        if not isinstance(node, ast.Call) or has_star_kwargs(node):
            continue
        name = mod.imports.qualify(node.func) or ""
        if name in _REQUESTS_CALLS or name in _URLOPEN:
            missing = keyword(node, "timeout") is None and not (name.endswith("urlopen") and len(node.args) >= 3)
        elif name in {"aiohttp.ClientSession"}:
            missing = keyword(node, "timeout") is None
        else:
            continue
        if missing:
            sev = Severity.ERROR if node.lineno in in_handler else None
            where = " inside a request handler" if sev else ""
            yield Hit(node.lineno, f"`{name}()` has no `timeout=`{where}", severity=sev)


@rule("http-timeout-disabled", kinds={FileKind.PYTHON}, category=Category.RESILIENCE,
      severity=Severity.WARNING, equivalents=("S113",))
def timeout_disabled(f: SourceFile, ctx: RuleContext) -> Iterator[Hit]:
    """HTTP timeout explicitly disabled

    Why: httpx applies a 5 s timeout by default; `timeout=None` removes it, and
    `aiohttp.ClientTimeout(total=None)` does the same for aiohttp. A hung dependency then holds
    the connection and the request forever.

    Fix:
        client = httpx.AsyncClient(timeout=httpx.Timeout(10.0, connect=2.0))
        session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
    """
    mod = f.python
    if mod is None:
        return
    for node in ast.walk(mod.tree):
        if not isinstance(node, ast.Call):
            continue
        name = mod.imports.qualify(node.func) or ""
        if name in _HTTPX_CALLS or name in _HTTPX_CLIENTS or name == "httpx.Timeout":
            kw = keyword(node, "timeout")
            if kw is not None and is_const(kw.value, None):
                yield Hit(node.lineno, f"`{name}(timeout=None)` waits forever")
            elif name == "httpx.Timeout" and node.args and is_const(node.args[0], None) and len(node.args) == 1 \
                    and not node.keywords:
                yield Hit(node.lineno, "`httpx.Timeout(None)` disables every timeout")
        elif name == "aiohttp.ClientTimeout":
            kw = keyword(node, "total")
            if kw is not None and is_const(kw.value, None) and keyword(node, "sock_read") is None:
                yield Hit(node.lineno, "`aiohttp.ClientTimeout(total=None)` waits forever")
