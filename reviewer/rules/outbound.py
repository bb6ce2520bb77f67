"""Outbound calls beyond plain HTTP: gRPC deadlines, boto3 timeouts, client lifetimes, and the
sequential fan-out of calls inside a request."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from reviewer.classify import FileKind, is_test_path
from reviewer.model import Category, Severity
from reviewer.project import Project, SourceFile
from reviewer.rules.registry import Hit, RuleContext, rule
from reviewer.sources import outbound_fixes as ofx
from reviewer.sources.fastapi_routes import handler_functions, routes_of
from reviewer.sources.python_ast import (
    CLOSABLE_CLIENTS,
    FunctionNode,
    dotted,
    has_star_kwargs,
    imported_name,
    keyword,
    nodes,
)
from reviewer.sources.python_fanout import fan_outs, under_timeout
from reviewer.sources.python_flow import Kind, flow
from reviewer.sources.python_outbound import (
    aws_receiver,
    bindings,
    boto3_without_timeouts,
    closes,
    grpc_default_deadline,
    handed_over,
    is_startup_hook,
    on_request_path,
    resolve,
    route_label,
    routes_calling,
    stub_calls,
    uses_grpc,
)
from reviewer.sources.python_reach import handler_calls

_CLOSE_CALL = re.compile(r"(\w+)\.a?close\b")


def _handler_ids(f: SourceFile) -> set[int]:
    return {id(fn) for fn in handler_functions(f.python)} if f.python is not None else set()


@rule("grpc-call-without-deadline", kinds={FileKind.PYTHON}, category=Category.RESILIENCE,
      severity=Severity.WARNING)
def grpc_call_without_deadline(f: SourceFile, ctx: RuleContext) -> Iterator[Hit]:
    """gRPC call without a deadline

    Why: A gRPC stub call with no `timeout=` has no deadline at all: when the server hangs or a
    connection silently drops, the call waits forever, holding the request (and the worker) that
    made it. The deadline also travels to the server, which can stop work nobody waits for.

    Fix:
        reply = await stub.GetOrder(GetOrderRequest(id=order_id), timeout=2.0)
        # or one default for every call: a client interceptor, or a service config on the channel
        channel = grpc.aio.insecure_channel(ORDERS_ADDR, options=[("grpc.service_config", json.dumps(
            {"methodConfig": [{"name": [{}], "timeout": "2s"}]}))])
    """
    mod = f.python if ("Stub" in f.text or "stub" in f.text) and not is_test_path(f.path) else None
    if mod is None or not uses_grpc(mod) or grpc_default_deadline(mod, f.text):
        return
    handlers = _handler_ids(f)
    for sc in stub_calls(mod):
        if has_star_kwargs(sc.call) or keyword(sc.call, "timeout") is not None or len(sc.call.args) > 1:
            continue
        waits, where = on_request_path(mod, sc.scope, handlers)
        yield Hit(sc.call.lineno, f"`{sc.written}()` has no `timeout=`{where}",
                  severity=Severity.ERROR if waits else None, **ofx.deadline(f, sc.call))


@rule("boto3-client-without-timeouts", kinds={FileKind.PYTHON}, category=Category.RESILIENCE,
      severity=Severity.WARNING)
def boto3_client_without_timeouts(f: SourceFile, ctx: RuleContext) -> Iterator[Hit]:
    """boto3 client used in a request handler runs on botocore's default timeouts

    Why: Without a `botocore.config.Config`, a boto3 client waits up to 60 s to connect and 60 s
    for each read, and retries up to 4 times in legacy mode: one slow AWS endpoint can hold a
    request for minutes, long after the caller gave up, while the handler's worker is stuck.
    Give clients used on the request path short timeouts and bounded, standard-mode retries.

    Fix:
        from botocore.config import Config

        s3 = boto3.client("s3", config=Config(
            connect_timeout=2, read_timeout=5, retries={"max_attempts": 3, "mode": "standard"}))
    """
    mod = f.python if "boto3" in f.text and not is_test_path(f.path) else None
    if mod is None:
        return
    fl = flow(mod)
    callers = routes_calling(mod)
    users: list[tuple[FunctionNode, str]] = [(fn, f"`{fn.name}`") for fn in handler_functions(mod)]
    handlers = {id(fn) for fn, _ in users}
    for fn in mod.functions.values():
        route = callers.get(id(fn))
        if route is not None and id(fn) not in handlers:
            users.append((fn, f"`{fn.name}()` (called by route `{route_label(mod, route)}`)"))
    seen: set[int] = set()
    for fn, who in users:
        for call, env in handler_calls(mod, fn):
            receiver = aws_receiver(fl, call, env)
            if receiver is None:
                continue
            made = [(receiver, fn)] if isinstance(receiver, ast.Call) else [
                (b.value, b.scope) for b in resolve(mod, dotted(receiver) or "", fn)]
            if len(made) != 1 or not isinstance(made[0][0], ast.Call) or id(made[0][0]) in seen:
                continue
            ctor, scope = made[0]
            if fl.kind_of(ctor, fl.env(scope) if scope is not mod.tree else fl.module_env) is not Kind.BOTO3:
                continue
            why = boto3_without_timeouts(mod, ctor, scope, f.text)
            if why is not None:
                seen.add(id(ctor))
                sent = dotted(call.func) or ast.unparse(call.func)
                yield Hit(ctor.lineno, f"`{dotted(ctor.func) or 'boto3.client'}()` has {why}: botocore's 60 s "
                                       f"connect and read timeouts and legacy retries apply; {who} calls "
                                       f"`{sent}()` on it", **ofx.boto3_config(f, ctor))


def _closed_anywhere(project: Project) -> frozenset[str]:
    """Names closed somewhere in the project (``x.aclose()``, ``x.close``): a client opened in one
    module is often closed in the lifespan of another."""
    def build() -> frozenset[str]:
        names: set[str] = set()
        for path in project.python_paths():
            sf = project.get(path)
            if sf is not None and ("close" in sf.text):
                names.update(_CLOSE_CALL.findall(sf.text))
        return frozenset(names)
    return project.memo("outbound:closed-names", build)  # type: ignore[return-value]


@rule("http-client-never-closed", kinds={FileKind.PYTHON}, category=Category.RESILIENCE,
      severity=Severity.WARNING)
def http_client_never_closed(f: SourceFile, ctx: RuleContext) -> Iterator[Hit]:
    """HTTP client opened and never closed

    Why: An `httpx.AsyncClient` or `aiohttp.ClientSession` owns a connection pool. One built in a
    function and dropped leaks its sockets on every call until the process runs out of file
    descriptors; one built at startup and never closed cuts in-flight connections at shutdown
    (aiohttp logs "Unclosed client session"). Open it with `async with`, or close it on shutdown.

    Fix:
        @asynccontextmanager
        async def lifespan(app: FastAPI):
            async with httpx.AsyncClient(base_url=INVENTORY_URL, timeout=5.0) as client:
                app.state.inventory = client
                yield  # closed when the app shuts down

        # in a helper: a client per call, closed when it is done
        async with httpx.AsyncClient(timeout=5.0) as client:
            resp = await client.get(url)
    """
    mod = f.python if not is_test_path(f.path) and ("httpx" in f.text or "aiohttp" in f.text) else None
    if mod is None:
        return
    handlers = _handler_ids(f) | set(routes_calling(mod))  # there fastapi-http-client-per-request speaks
    for b in bindings(mod):
        ctor = imported_name(mod, b.value.func) if isinstance(b.value, ast.Call) else None
        if ctor not in CLOSABLE_CLIENTS or isinstance(b.node, (ast.With, ast.AsyncWith)):
            continue
        last = b.name.rsplit(".", 1)[-1]
        if b.scope is mod.tree or (is_startup_hook(mod, b.scope) and ("." in b.name or _global(b.scope, b.name))):
            if closes(mod, b.name) or last in _closed_anywhere(ctx.project):
                continue
            where = "at import" if b.scope is mod.tree else f"in `{b.scope.name}`"  # type: ignore[attr-defined]
            yield Hit(b.node.lineno, f"`{b.name} = {ctor}()` is opened {where} and never closed on shutdown",
                      severity=Severity.INFO if b.scope is mod.tree else None,
                      **ofx.closed_client(ctor, b.name, "startup", None))
        elif isinstance(b.scope, (ast.FunctionDef, ast.AsyncFunctionDef)) and "." not in b.name and \
                id(b.scope) not in handlers and not _global(b.scope, b.name) and not _closed_in(b.scope, b.name) \
                and not handed_over(mod, b.scope, b.name):
            yield Hit(b.node.lineno, f"`{b.name} = {ctor}()` in `{b.scope.name}` is never closed: each call leaks "
                                     "a connection pool", **ofx.closed_client(ctor, b.name, "function", b.scope))
    for call in nodes(mod, ast.Call):
        ctor = imported_name(mod, call.func)
        parent = mod.parents.get(call)
        if ctor in CLOSABLE_CLIENTS and isinstance(parent, ast.Attribute) and parent.attr not in ("aclose", "close"):
            fn = _function_of(mod, call)
            if fn is not None and id(fn) not in handlers:
                yield Hit(call.lineno, f"`{ctor}().{parent.attr}()` builds a client for one call and never closes "
                                       "it", **ofx.closed_client(ctor, "client", "function", fn))


def _global(fn: ast.AST, name: str) -> bool:
    return any(isinstance(n, ast.Global) and name in n.names for n in ast.walk(fn))


def _closed_in(fn: ast.AST, name: str) -> bool:
    return any(isinstance(n, ast.Attribute) and n.attr in ("aclose", "close") and dotted(n.value) == name
               for n in ast.walk(fn))


def _function_of(mod, node: ast.AST) -> FunctionNode | None:  # type: ignore[no-untyped-def]
    parent = mod.parents.get(node)
    while parent is not None and not isinstance(parent, (ast.FunctionDef, ast.AsyncFunctionDef)):
        parent = mod.parents.get(parent)
    return parent


@rule("http-sequential-fan-out", kinds={FileKind.PYTHON}, category=Category.RESILIENCE,
      severity=Severity.WARNING)
def http_sequential_fan_out(f: SourceFile, ctx: RuleContext) -> Iterator[Hit]:
    """Request awaits one outbound call after another in a loop

    Why: A route that awaits a call per item in a `for` loop takes the sum of all the round
    trips: 50 items at 40 ms is 2 s, and one slow or hanging callee stalls the whole request (and
    its caller's retries pile on). Run the calls concurrently with a bound on how many are in
    flight, under one overall timeout, and decide what a partial failure returns.

    Fix:
        sem = asyncio.Semaphore(10)

        async def price_of(sku: str) -> dict:
            async with sem:
                return (await client.get(f"/prices/{sku}")).json()

        async with asyncio.timeout(5):
            prices = await asyncio.gather(*(price_of(s) for s in order.skus), return_exceptions=True)
    """
    mod = f.python if "await" in f.text and "for " in f.text and not is_test_path(f.path) else None
    if mod is None:
        return
    seen: set[int] = set()
    for route in routes_of(mod):
        if not isinstance(route.func, ast.AsyncFunctionDef):
            continue
        todo: list[tuple[FunctionNode, str]] = [(route.func, "")]
        for call, _ in handler_calls(mod, route.func):
            helper = mod.functions.get(call.func.id) if isinstance(call.func, ast.Name) else None
            if isinstance(helper, ast.AsyncFunctionDef) and helper is not route.func and \
                    not under_timeout(mod, call, route.func):
                todo.append((helper, f" (called by route `{route_label(mod, route)}`)"))
        for fn, via in todo:
            for fo in fan_outs(ctx.project, f.path, mod, fn):
                if id(fo.loop) in seen:
                    continue
                seen.add(id(fo.loop))
                items = ast.unparse(fo.loop.iter)
                yield Hit(fo.loop.lineno, f"`{fn.name}`{via} awaits `{fo.what}` once per item of `{items}`, one "
                                          "after another, with no overall timeout",
                          **ofx.gathered(mod, fo.loop, fo.call))
