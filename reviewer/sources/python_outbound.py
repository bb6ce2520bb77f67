"""Outbound clients in Python code beyond what ``python_flow`` types: gRPC stubs, boto3 client
configuration, urllib3 pools, HTTP clients that are never closed.

Bindings here are by name, like ``python_flow``'s: a dotted name (``stub``, ``self._orders``,
``app.state.http``) assigned from a constructor in a function, its class, or the module. A name
bound to anything else as well is not trusted, so the rules stay quiet rather than guess.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass

from reviewer.sources.fastapi_routes import Route, route_path, routes_of
from reviewer.sources.python_ast import (
    HTTP_VERBS,
    SCOPES,
    FunctionNode,
    PythonModule,
    dotted,
    imported_name,
    keyword,
    local_imports,
    nodes,
    walk_own_body,
)
from reviewer.sources.python_flow import Env, Flow, Kind

GRPC_CHANNELS = frozenset({"grpc.insecure_channel", "grpc.secure_channel", "grpc.intercept_channel",
                           "grpc.aio.insecure_channel", "grpc.aio.secure_channel"})
_STUB_CALL_WRAPPERS = frozenset({"future", "with_call"})
BOTO3_CONSTRUCTORS = frozenset({"boto3.client", "boto3.resource"})
_BOTO3_TIMEOUTS = ("connect_timeout", "read_timeout", "retries")
URLLIB3_POOLS = frozenset({"urllib3.PoolManager", "urllib3.ProxyManager", "urllib3.HTTPConnectionPool",
                           "urllib3.HTTPSConnectionPool", "urllib3.connection_from_url",
                           "urllib3.poolmanager.PoolManager", "urllib3.connectionpool.HTTPConnectionPool",
                           "urllib3.connectionpool.HTTPSConnectionPool"})
URLLIB3_REQUESTS = frozenset({"request", "urlopen", "request_encode_url", "request_encode_body"})
_CLOSERS = frozenset({"aclose", "close"})
_STARTUP = re.compile(r"(?i)startup|lifespan|on_start")


# --- bindings by name ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Bound:
    """``name = value`` (or ``with value as name``) in ``scope`` (a function, a class, the module)."""

    name: str
    value: ast.AST
    scope: ast.AST
    node: ast.AST  # the statement


def _enclosing(mod: PythonModule, node: ast.AST) -> ast.AST:
    parent = mod.parents.get(node)
    while parent is not None and not isinstance(parent, SCOPES):
        parent = mod.parents.get(parent)
    return parent if parent is not None else mod.tree


def bindings(mod: PythonModule) -> list[Bound]:
    """Every name bound from a value in the module, once (cached on the module)."""
    cached = mod.__dict__.get("_outbound_bindings")
    if cached is not None:
        return cached
    out: list[Bound] = []
    for node in nodes(mod, ast.Assign, ast.AnnAssign, ast.With, ast.AsyncWith):
        if isinstance(node, ast.Assign):
            pairs = [(t, node.value) for t in node.targets]
        elif isinstance(node, ast.AnnAssign):
            pairs = [(node.target, node.value)] if node.value is not None else []
        else:
            pairs = [(i.optional_vars, i.context_expr) for i in node.items if i.optional_vars is not None]
        for target, value in pairs:
            name = dotted(target)
            if name is not None:
                out.append(Bound(name, value, _enclosing(mod, node), node))
    mod.__dict__["_outbound_bindings"] = out
    return out


def _class_of(mod: PythonModule, scope: ast.AST) -> ast.ClassDef | None:
    parent = mod.parents.get(scope)
    while parent is not None and not isinstance(parent, ast.ClassDef):
        parent = mod.parents.get(parent)
    return parent


def resolve(mod: PythonModule, name: str, scope: ast.AST) -> list[Bound]:
    """What ``name`` used in ``scope`` may hold: its bindings in the nearest scope that binds it
    (the function, then ``self.x`` anywhere in its class, then the module)."""
    found = [b for b in bindings(mod) if b.name == name]
    if not found:
        return []
    own = [b for b in found if b.scope is scope]
    if own:
        return own
    if name.startswith("self."):
        cls = _class_of(mod, scope)
        return [b for b in found if cls is not None and _class_of(mod, b.scope) is cls]
    return [b for b in found if b.scope is mod.tree]


def only_value(mod: PythonModule, name: str, scope: ast.AST) -> ast.AST | None:
    """The one value ``name`` holds in ``scope``, when every binding of it is the same constructor."""
    values = [b.value for b in resolve(mod, name, scope)]
    texts = {ast.unparse(v.func) if isinstance(v, ast.Call) else None for v in values}
    return values[0] if values and len(texts) == 1 and None not in texts else None


# --- gRPC -----------------------------------------------------------------------------------------

def uses_grpc(mod: PythonModule) -> bool:
    return mod.imports.imports_module("grpc") or any(re.search(r"_pb2(_grpc)?(\.|$)", q)
                                                     for q in [*mod.imports.names.values(), *local_imports(mod)])


def _is_stub_constructor(node: ast.AST | None) -> bool:
    return isinstance(node, ast.Call) and (dotted(node.func) or "").rsplit(".", 1)[-1].endswith("Stub")


def grpc_default_deadline(mod: PythonModule, text: str) -> bool:
    """The module's channels may bring a deadline of their own: a client interceptor, or a service
    config (``grpc.service_config`` with a per-method ``timeout``)."""
    if any(imported_name(mod, c.func) == "grpc.intercept_channel" or keyword(c, "interceptors") is not None
           for c in nodes(mod, ast.Call)):
        return True
    if any("ClientInterceptor" in (dotted(b) or "") for c in nodes(mod, ast.ClassDef) for b in c.bases):
        return True
    return "grpc.service_config" in text and "timeout" in text


def _stub_param(scope: ast.AST, name: str) -> bool:
    args = getattr(scope, "args", None)
    if not isinstance(args, ast.arguments):
        return False
    for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs]:
        if arg.arg == name and arg.annotation is not None:
            return (dotted(arg.annotation) or ast.unparse(arg.annotation)).rsplit(".", 1)[-1].strip("'\"").endswith(
                "Stub")
    return False


def holds_stub(mod: PythonModule, receiver: ast.AST, scope: ast.AST) -> bool:
    if _is_stub_constructor(receiver):
        return True
    name = dotted(receiver)
    if name is None:
        return False
    if "." not in name and _stub_param(scope, name):
        return True
    value = only_value(mod, name, scope)
    if value is not None:
        return _is_stub_constructor(value)
    # not bound here: a stub imported from the module that builds it, or a parameter, named as one
    head = name.split(".", 1)[0]
    named = name.rsplit(".", 1)[-1].lower()
    return (named == "stub" or named.endswith("_stub")) and not resolve(mod, name, scope) and (
        head in mod.imports.names or head in local_imports(mod) or _is_param(scope, head))


def _is_param(scope: ast.AST, name: str) -> bool:
    args = getattr(scope, "args", None)
    return isinstance(args, ast.arguments) and any(
        a.arg == name for a in [*args.posonlyargs, *args.args, *args.kwonlyargs])


def in_main_block(mod: PythonModule, node: ast.AST) -> bool:
    """``node`` runs under ``if __name__ == "__main__":``: a one-shot script run by hand, not a service."""
    parent = mod.parents.get(node)
    while parent is not None:
        if isinstance(parent, ast.If) and "__main__" in ast.unparse(parent.test) and "__name__" in ast.unparse(
                parent.test):
            return True
        parent = mod.parents.get(parent)
    return False


@dataclass(frozen=True)
class StubCall:
    call: ast.Call
    scope: ast.AST
    method: str  # "GetOrder"
    written: str  # "stub.GetOrder"


def stub_calls(mod: PythonModule) -> Iterator[StubCall]:
    """``stub.Method(request)`` (also ``.future(...)``, ``.with_call(...)``) on a gRPC stub."""
    for call in nodes(mod, ast.Call):
        func = call.func
        if not isinstance(func, ast.Attribute):
            continue
        if func.attr in _STUB_CALL_WRAPPERS and isinstance(func.value, ast.Attribute):
            method, receiver = func.value.attr, func.value.value
        else:
            method, receiver = func.attr, func.value
        if not method[:1].isupper():
            continue
        scope = _enclosing(mod, call)
        if holds_stub(mod, receiver, scope) and not in_main_block(mod, call):
            yield StubCall(call, scope, method, f"{dotted(receiver) or 'stub'}.{method}")


# --- boto3 ----------------------------------------------------------------------------------------

def _timeouts_set(mod: PythonModule, value: ast.AST, scope: ast.AST) -> bool | None:
    """Whether a ``config=`` value sets timeouts or retries; None when it cannot be read."""
    if isinstance(value, ast.Name):
        inner = only_value(mod, value.id, scope)
        return _timeouts_set(mod, inner, scope) if inner is not None else None
    if isinstance(value, ast.Call) and (imported_name(mod, value.func) or dotted(value.func) or "").endswith("Config"):
        if any(kw.arg is None for kw in value.keywords):
            return None
        return any(keyword(value, k) is not None for k in _BOTO3_TIMEOUTS)
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and value.func.attr == "merge":
        return None
    return None


_BOTO3_LOCAL = frozenset({"get_paginator", "get_waiter", "generate_presigned_url", "generate_presigned_post",
                          "can_paginate", "close"})


def aws_receiver(fl: Flow, call: ast.Call, env: Env) -> ast.AST | None:
    """The boto3 client or resource a call sends a request through (``s3.put_object``,
    ``dynamo.Table("t").put_item``), or None when the call stays local or is not boto3."""
    func = call.func
    if not isinstance(func, ast.Attribute) or func.attr[:1].isupper() or func.attr in _BOTO3_LOCAL:
        return None
    receiver = func.value
    while isinstance(receiver, ast.Call) and isinstance(receiver.func, ast.Attribute) and \
            receiver.func.attr[:1].isupper():  # a resource's sub-resource: Table(), Bucket(), Queue()
        receiver = receiver.func.value
    return receiver if fl.kind_of(receiver, env) is Kind.BOTO3 else None


def boto3_without_timeouts(mod: PythonModule, call: ast.Call, scope: ast.AST, text: str) -> str | None:
    """Why a boto3 ``client()``/``resource()`` call runs on botocore's defaults (60 s connect and read
    timeouts, legacy retries), or None when it passes a ``Config`` that sets them (or we cannot tell)."""
    if any(kw.arg is None for kw in call.keywords) or "set_default_client_config" in text:
        return None
    kw = keyword(call, "config")
    if kw is None:
        return "no `config=`"
    return "a `Config` that sets no timeouts or retries" if _timeouts_set(mod, kw.value, scope) is False else None


# --- urllib3 --------------------------------------------------------------------------------------

def urllib3_pool(mod: PythonModule, receiver: ast.AST, scope: ast.AST) -> ast.Call | None:
    """The urllib3 pool constructor ``receiver`` holds (inline or by name)."""
    value = receiver if isinstance(receiver, ast.Call) else (
        only_value(mod, dotted(receiver) or "", scope) if dotted(receiver) else None)
    if isinstance(value, ast.Call) and imported_name(mod, value.func) in URLLIB3_POOLS:
        return value
    return None


# --- blocking HTTP handed to a thread ------------------------------------------------------------

_KWARGS_PASSED = frozenset({"asyncio.to_thread", "starlette.concurrency.run_in_threadpool",
                            "fastapi.concurrency.run_in_threadpool"})  # they pass **kwargs on to the function
_NO_KWARGS = frozenset({"anyio.to_thread.run_sync"})  # positional only: a timeout needs functools.partial
_BLOCKING_HTTP = frozenset({*(f"requests.{v}" for v in HTTP_VERBS | {"request"}), "urllib.request.urlopen"})


def offloaded_http(mod: PythonModule) -> Iterator[tuple[ast.Call, str, ast.AST, bool]]:
    """``await asyncio.to_thread(requests.get, url)``, ``loop.run_in_executor(None, requests.get, url)``:
    a blocking HTTP function run in a thread with no timeout, as (wrapper call, function, scope,
    whether a ``timeout=`` keyword can be added to the wrapper)."""
    for call in nodes(mod, ast.Call):
        qual = mod.imports.qualify(call.func) or ""
        if qual in _KWARGS_PASSED or qual in _NO_KWARGS:
            func, rest = (call.args[0], call.args[1:]) if call.args else (None, [])
        elif qual.endswith(".run_in_executor") and len(call.args) >= 2:
            func, rest = call.args[1], call.args[2:]
        else:
            continue
        name = imported_name(mod, func) if func is not None else None
        if name not in _BLOCKING_HTTP or any(k.arg in ("timeout", None) for k in call.keywords):
            continue
        if name.endswith("urlopen") and len(rest) >= 3:  # urlopen(url, data, timeout)
            continue
        yield call, name, _enclosing(mod, call), qual in _KWARGS_PASSED


# --- client lifetime ------------------------------------------------------------------------------

def closes(mod: PythonModule, name: str) -> bool:
    """Something in the module closes ``name`` (or anything ending in ``.<last part of name>``):
    ``await x.aclose()``, ``stack.push_async_callback(x.aclose)``, ``async with x``."""
    last = name.rsplit(".", 1)[-1]
    for node in nodes(mod, ast.Attribute):
        if node.attr in _CLOSERS:
            owner = dotted(node.value) or ""
            if owner == name or owner.rsplit(".", 1)[-1] == last:
                return True
    for node in nodes(mod, ast.With, ast.AsyncWith):
        if any((dotted(i.context_expr) or "").rsplit(".", 1)[-1] == last for i in node.items):
            return True
    return False


def handed_over(mod: PythonModule, fn: FunctionNode, name: str) -> bool:
    """Inside ``fn``, the local client ``name`` is returned, yielded, stored, entered as a context
    manager or passed to another call: someone else owns closing it."""
    for node in ast.walk(fn):
        if isinstance(node, (ast.Return, ast.Yield, ast.YieldFrom)) and node.value is not None and any(
                isinstance(n, ast.Name) and n.id == name for n in ast.walk(node.value)):
            return True
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None and isinstance(
                node.value, ast.Name) and node.value.id == name:
            return True
        if isinstance(node, (ast.With, ast.AsyncWith)) and any(
                isinstance(i.context_expr, ast.Name) and i.context_expr.id == name for i in node.items):
            return True
        if isinstance(node, ast.Call) and any(isinstance(a, ast.Name) and a.id == name
                                              for a in [*node.args, *(k.value for k in node.keywords)]):
            return True
        if isinstance(node, (ast.Tuple, ast.List, ast.Dict)) and any(
                isinstance(e, ast.Name) and e.id == name for e in ast.iter_child_nodes(node)):
            return True
    return False


def is_startup_hook(mod: PythonModule, fn: ast.AST) -> bool:
    """A FastAPI startup handler or lifespan: where the process opens what it keeps."""
    if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return False
    for deco in fn.decorator_list:
        if isinstance(deco, ast.Call) and (dotted(deco.func) or "").endswith("on_event") and deco.args and \
                isinstance(deco.args[0], ast.Constant) and deco.args[0].value == "startup":
            return True
    return bool(_STARTUP.search(fn.name))


# --- who calls what -------------------------------------------------------------------------------

def routes_calling(mod: PythonModule) -> dict[int, Route]:
    """Module functions that a route of the same module calls directly, by ``id`` of the function,
    with the (first) route calling it: a helper on the request path."""
    cached = mod.__dict__.get("_outbound_callers")
    if cached is not None:
        return cached
    out: dict[int, Route] = {}
    for route in routes_of(mod):
        for node in walk_own_body(route.func):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                fn = mod.functions.get(node.func.id)
                if fn is not None and fn is not route.func:
                    out.setdefault(id(fn), route)
    mod.__dict__["_outbound_callers"] = out
    return out


def on_request_path(mod: PythonModule, scope: ast.AST, handlers: set[int]) -> tuple[bool, str]:
    """Whether code in ``scope`` runs while a request waits (a handler, or a module function a route
    calls), and where, for the message: " inside a request handler", " in `f()`, which route `GET /x` calls"."""
    if id(scope) in handlers:
        return True, " inside a request handler"
    route = routes_calling(mod).get(id(scope))
    if route is not None:
        return True, f" in `{scope.name}()`, which route `{route_label(mod, route)}` calls"  # type: ignore[attr-defined]
    return False, ""


def configured_per_call(fn: FunctionNode, call: ast.Call) -> bool:
    """The client ``call`` builds takes its settings from ``fn``'s parameters (``timeout=timeout_s``,
    ``base_url=endpoint``): a helper that talks to whatever endpoint it is given, not a shared client."""
    params = {a.arg for a in [*fn.args.posonlyargs, *fn.args.args, *fn.args.kwonlyargs]} - {"self", "cls"}
    return any(isinstance(n, ast.Name) and n.id in params for a in [*call.args, *call.keywords]
               for n in ast.walk(a))


def route_label(mod: PythonModule, route: Route) -> str:
    """``GET /orders/{order_id}`` with its router's prefix (the handler's name when the path is not a literal)."""
    method = route.method.upper() if route.method not in ("api_route", "websocket") else route.method
    path = route_path(mod, route)
    return f"{method} {path or '/'}" if path is not None else f"{method} {route.func.name}"
