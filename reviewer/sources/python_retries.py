"""Retries in Python code: tenacity and urllib3 retry policies, hand-written retry loops, and
the HTTP calls they repeat."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from reviewer.sources.python_ast import PythonModule, dotted, imported_name, keyword, nodes, own_nodes
from reviewer.sources.python_flow import Env, Flow, flow

URLLIB3_RETRY = {"urllib3.Retry", "urllib3.util.Retry", "urllib3.util.retry.Retry", "requests.adapters.Retry",
                 "requests.packages.urllib3.util.retry.Retry"}
SLEEPS = {"time.sleep", "asyncio.sleep", "anyio.sleep", "trio.sleep", "gevent.sleep"}
_LOOP_ITERS = {"range", "itertools.count"}


@dataclass(frozen=True)
class RetryPolicy:
    """A tenacity ``@retry`` / ``Retrying(...)`` or a urllib3 ``Retry(...)``."""

    node: ast.AST  # the decorator or call
    library: str  # tenacity | urllib3
    call: ast.Call | None  # None for a bare ``@retry``
    target: ast.AST | None  # the decorated function, or the ``for`` loop over Retrying()


@dataclass(frozen=True)
class RetryLoop:
    """A hand-written retry: a loop whose ``try`` makes an HTTP call, leaves on success, goes on on failure."""

    loop: ast.For | ast.While
    attempt: ast.Try
    handlers: tuple[ast.ExceptHandler, ...]  # the handlers that let the loop go round again
    has_sleep: bool
    capped: bool
    env: Env


def retry_policies(mod: PythonModule) -> Iterator[RetryPolicy]:
    for node in nodes(mod, ast.FunctionDef, ast.AsyncFunctionDef, ast.Call):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for deco in node.decorator_list:
                func = deco.func if isinstance(deco, ast.Call) else deco
                if imported_name(mod, func) == "tenacity.retry":
                    yield RetryPolicy(deco, "tenacity", deco if isinstance(deco, ast.Call) else None, node)
        elif isinstance(node, ast.Call):
            name = imported_name(mod, node.func)
            parent = mod.parents.get(node)
            if name in ("tenacity.Retrying", "tenacity.AsyncRetrying"):
                loop = parent if isinstance(parent, (ast.For, ast.AsyncFor)) and parent.iter is node else None
                yield RetryPolicy(node, "tenacity", node, loop)
            elif name == "tenacity.retry" and not (isinstance(parent, (ast.FunctionDef, ast.AsyncFunctionDef))
                                                   and node in parent.decorator_list):
                yield RetryPolicy(node, "tenacity", node, None)  # retry(...)(fn)
            elif name in URLLIB3_RETRY:
                yield RetryPolicy(node, "urllib3", node, None)


def tenacity_arg(policy: RetryPolicy, name: str) -> ast.AST | None:
    kw = keyword(policy.call, name) if policy.call is not None else None
    return kw.value if kw else None


def called_name(mod: PythonModule, node: ast.AST | None) -> str:
    """``wait_none`` for ``wait_none()`` / ``tenacity.wait_none()``; ``stop_never`` for the constant."""
    if isinstance(node, ast.Call):
        node = node.func
    return (imported_name(mod, node) or dotted(node) or "").rsplit(".", 1)[-1] if node is not None else ""


def retries_disabled(policy: RetryPolicy) -> bool:
    call = policy.call
    total = keyword(call, "total").value if call and keyword(call, "total") else (
        call.args[0] if call and call.args else None)
    return isinstance(total, ast.Constant) and total.value in (0, False)


def scope_env(fl: Flow, mod: PythonModule, node: ast.AST) -> Env:
    parent = mod.parents.get(node)
    while parent is not None and not isinstance(parent, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
        parent = mod.parents.get(parent)
    return fl.env(parent if parent is not None else mod.tree)


def loop_nodes(loop: ast.AST) -> Iterator[ast.AST]:
    """Nodes of the loop body and else, not inside nested loops or defs."""
    stack = list(reversed([*loop.body, *loop.orelse]))  # type: ignore[attr-defined]
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.For, ast.AsyncFor, ast.While, ast.FunctionDef, ast.AsyncFunctionDef,
                             ast.Lambda, ast.ClassDef)):
            continue
        yield node
        stack.extend(reversed(list(ast.iter_child_nodes(node))))


def _exits(stmts: list[ast.stmt]) -> bool:
    return any(isinstance(n, (ast.Return, ast.Break)) for s in stmts for n in [s, *ast.walk(s)]
               if not isinstance(n, (ast.For, ast.While, ast.AsyncFor)))


def _falls_through(handler: ast.ExceptHandler) -> bool:
    last = handler.body[-1] if handler.body else None
    return not isinstance(last, (ast.Raise, ast.Return, ast.Break))


def retry_loops(mod: PythonModule) -> Iterator[RetryLoop]:
    fl = flow(mod)
    for loop in nodes(mod, ast.For, ast.AsyncFor, ast.While):
        if not any(isinstance(n, ast.Try) for n in ast.walk(loop)):
            continue
        if isinstance(loop, (ast.For, ast.AsyncFor)):
            it = loop.iter
            if not (isinstance(it, ast.Call) and (imported_name(mod, it.func) or dotted(it.func)) in _LOOP_ITERS):
                continue
        env = scope_env(fl, mod, loop)
        body = list(loop_nodes(loop))
        for attempt in (n for n in body if isinstance(n, ast.Try)):
            tried = [n for s in attempt.body for n in ast.walk(s) if isinstance(n, ast.Call)]
            if not any((io := fl.io_call(c, env)) is not None and io.what == "http" for c in tried):
                continue
            if not _exits([*attempt.body, *attempt.orelse]):
                continue
            again = tuple(h for h in attempt.handlers if _falls_through(h))
            if not again:
                continue
            has_sleep = any(isinstance(n, ast.Call) and imported_name(mod, n.func) in SLEEPS for n in body)
            success = {id(n) for s in [*attempt.body, *attempt.orelse] for n in ast.walk(s)}
            capped = not (isinstance(loop, ast.While) and isinstance(loop.test, ast.Constant) and loop.test.value) or \
                any(isinstance(n, (ast.Raise, ast.Return, ast.Break)) and id(n) not in success for n in body)
            yield RetryLoop(loop, attempt, again, has_sleep, capped, env)
            break


def retried_calls(mod: PythonModule) -> Iterator[tuple[ast.Call, Env, str]]:
    """HTTP calls that a retry repeats, and what repeats them."""
    fl = flow(mod)
    for policy in retry_policies(mod):
        if policy.library != "tenacity" or policy.target is None:
            continue
        if connect_errors_only(mod, tenacity_arg(policy, "retry")):
            continue
        scope = policy.target
        env = fl.env(scope) if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)) else scope_env(
            fl, mod, scope)
        nodes = own_nodes(scope) if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)) else loop_nodes(scope)
        for node in nodes:
            if isinstance(node, ast.Call):
                yield node, env, "tenacity retry"
    for loop in retry_loops(mod):
        for node in (n for s in loop.attempt.body for n in ast.walk(s)):
            if isinstance(node, ast.Call):
                yield node, loop.env, "retry loop"


def connect_errors_only(mod: PythonModule, node: ast.AST | None) -> bool:
    """``retry=retry_if_exception_type(httpx.ConnectError)``: the request never left, so a retry is safe."""
    if not (isinstance(node, ast.Call) and called_name(mod, node) == "retry_if_exception_type" and node.args):
        return False
    arg = node.args[0]
    names = [dotted(e) or "" for e in (arg.elts if isinstance(arg, ast.Tuple) else [arg])]
    return bool(names) and all(n.rsplit(".", 1)[-1] in ("ConnectError", "ConnectTimeout") for n in names)


def http_method(fl: Flow, call: ast.Call, env: Env) -> str | None:
    io = fl.io_call(call, env)
    if io is None or io.what != "http" or not isinstance(call.func, ast.Attribute):
        return None
    method = call.func.attr
    if method == "request" and call.args and isinstance(call.args[0], ast.Constant):
        method = str(call.args[0].value).lower()
    return method


def sends_idempotency_key(mod: PythonModule, call: ast.Call) -> bool:
    headers = keyword(call, "headers")
    if headers is None:
        return False
    if isinstance(headers.value, ast.Dict):
        return any("idempotency" in (ast.unparse(k).lower() if k is not None else "") for k in headers.value.keys) or \
            any(isinstance(k, ast.Name) and "idempot" in k.id.lower() for k in headers.value.keys)
    return "idempotency-key" in ast.unparse(mod.tree).lower()
