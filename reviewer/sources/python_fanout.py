"""Sequential fan-out in a request: a ``for`` loop over a collection that awaits one outbound call
per item, one after another.

``fan_outs(project, path, mod, fn)`` finds them in ``fn``. The awaited call is outbound when it is
an HTTP method of a typed async client (``python_flow``), of a receiver named like one
(``request.app.state.http.get``, ``self.client.post``), a gRPC stub method, or a project helper
whose own body makes such a call (one level). Not a fan-out: a loop over a literal of a few items,
one that stops at the first answer (``return``/``break``: a failover), one that paces itself
(``sleep``), one whose next call needs the previous answer (a cursor), or one inside an overall
timeout (``asyncio.timeout``, ``anyio.fail_after``).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass

from reviewer.project import Project
from reviewer.sources.python_ast import HTTP_VERBS, FunctionNode, PythonModule, dotted, imported_name, walk_own_body
from reviewer.sources.python_flow import HTTP_CLIENTS, Env, flow
from reviewer.sources.python_outbound import holds_stub
from reviewer.sources.python_reach import callee, reach
from reviewer.sources.python_retries import SLEEPS

TIMEOUT_GUARDS = frozenset({"asyncio.timeout", "asyncio.timeout_at", "asyncio.wait_for", "anyio.fail_after",
                            "anyio.move_on_after", "async_timeout.timeout", "trio.fail_after"})
SMALL_LITERAL = 3  # a loop over a literal of this many items or fewer is a fixed, short sequence
_HTTP_NAMED = re.compile(r"(?i)(^|_)(http|https|client|api)$")
_METHODS = HTTP_VERBS | {"request", "send", "stream"}
_STORE_NAMED = re.compile(r"(?i)redis|cache|mongo|elastic|(^|_)(db|es|s3|sqs|kafka|queue|storage|store)(_|$|\.)")


def _url_like(call: ast.Call) -> bool:
    """The call's URL argument looks like one: a path or URL literal, or a name that says so. Only
    an HTTP client is called like that (``http.get(f"/items/{id}")``), not a cache (``client.get(key)``)."""
    kw = next((k.value for k in call.keywords if k.arg == "url"), None)
    at = 1 if getattr(call.func, "attr", "") in ("request", "stream") else 0
    arg = kw if kw is not None else call.args[at] if len(call.args) > at else None
    if isinstance(arg, (ast.JoinedStr, ast.Constant)):
        text = ast.unparse(arg)
        return "/" in text or "http" in text
    return arg is not None and bool(re.search(r"(?i)url|path|endpoint|route", ast.unparse(arg)))


@dataclass(frozen=True)
class FanOut:
    loop: ast.For
    call: ast.Call  # the awaited call in the loop
    what: str  # "client.get()" or "fetch_price() -> client.get()"


def _guarded(node: ast.AST) -> bool:
    return isinstance(node, ast.Call) and (dotted(node.func) or "").rsplit(".", 1)[-1] in {
        g.rsplit(".", 1)[-1] for g in TIMEOUT_GUARDS}


def under_timeout(mod: PythonModule, node: ast.AST, fn: ast.AST) -> bool:
    """``node`` runs inside ``async with asyncio.timeout(...)`` (or ``anyio.fail_after``, or an
    ``asyncio.wait_for(...)`` call) within ``fn``."""
    parent = mod.parents.get(node)
    while parent is not None and parent is not fn:
        if isinstance(parent, (ast.With, ast.AsyncWith)) and any(_guarded(i.context_expr) for i in parent.items):
            return True
        if _guarded(parent):
            return True
        parent = mod.parents.get(parent)
    return False


def _small(it: ast.AST) -> bool:
    if isinstance(it, (ast.Tuple, ast.List, ast.Set)):
        return len(it.elts) <= SMALL_LITERAL
    if isinstance(it, ast.Dict):
        return len(it.keys) <= SMALL_LITERAL
    if isinstance(it, ast.Call) and dotted(it.func) == "range" and it.args:
        last = it.args[-1] if len(it.args) <= 2 else it.args[1]
        return isinstance(last, ast.Constant) and isinstance(last.value, int) and last.value <= SMALL_LITERAL
    return False


def _loop_body(loop: ast.For) -> list[ast.AST]:
    out: list[ast.AST] = []
    stack = list(reversed(loop.body))
    nested = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
    while stack:
        node = stack.pop()
        if isinstance(node, nested):
            continue
        out.append(node)
        stack.extend(reversed(list(ast.iter_child_nodes(node))))
    return out


def _carried(body: list[ast.AST], call: ast.Call) -> bool:
    """A name the call reads is assigned again after it in the loop: the next call needs this answer."""
    read = {n.id for n in ast.walk(call) if isinstance(n, ast.Name)}
    after = call.end_lineno or call.lineno
    for node in body:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(
            node, (ast.AugAssign, ast.AnnAssign)) else []
        for t in targets:
            names = {n.id for n in (t.elts if isinstance(t, (ast.Tuple, ast.List)) else [t]) if isinstance(n, ast.Name)}
            if names & read and (isinstance(node, ast.AugAssign) or node.lineno > after):
                return True
    return False


def outbound_call(project: Project, path: str, mod: PythonModule, fn: FunctionNode, call: ast.Call,
                  env: Env) -> str | None:
    """What an awaited call sends out, for the message; None when it is not an outbound call."""
    fl = flow(mod)
    written = dotted(call.func) or "call"
    io = fl.io_call(call, env)
    if io is not None:
        return f"{written}()" if io.what == "http" and not io.blocking else None
    if isinstance(call.func, ast.Attribute):
        receiver = call.func.value
        if holds_stub(mod, receiver, fn):
            return f"{written}()"
        kind = fl.kind_of(receiver, env)
        last = (dotted(receiver) or "").rsplit(".", 1)[-1]
        if call.func.attr in _METHODS and (kind in HTTP_CLIENTS or (
                kind is None and _HTTP_NAMED.search(last) and not _STORE_NAMED.search(written) and _url_like(call))):
            return f"{written}()"
        if kind is not None:
            return None
    target = callee(project, path, mod, fn, call)
    if target is None or not isinstance(target.func, ast.AsyncFunctionDef):
        return None
    trail = reach(project, target, depth=0, loose=False)
    if trail is not None and trail.io.what == "http" and not trail.io.blocking:
        return f"{written}() -> {trail.io.name}()"
    return None


def fan_outs(project: Project, path: str, mod: PythonModule, fn: FunctionNode) -> Iterator[FanOut]:
    env = flow(mod).env(fn)
    seen: set[int] = set()  # an inner loop's call is its outer loop's finding
    for loop in (n for n in walk_own_body(fn) if isinstance(n, ast.For)):
        if _small(loop.iter) or under_timeout(mod, loop, fn):
            continue
        body = _loop_body(loop)
        if any(isinstance(n, (ast.Return, ast.Break)) for n in body):
            continue
        if any(isinstance(n, ast.Call) and imported_name(mod, n.func) in SLEEPS for n in body):
            continue
        for node in body:
            if not (isinstance(node, ast.Await) and isinstance(node.value, ast.Call)):
                continue
            what = outbound_call(project, path, mod, fn, node.value, env)
            if what is not None and not _carried(body, node.value):
                if id(node.value) not in seen:
                    seen.add(id(node.value))
                    yield FanOut(loop, node.value, what)
                break
