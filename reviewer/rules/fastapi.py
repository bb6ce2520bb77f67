"""FastAPI service code: async correctness, dependency injection, lifespan, routes, health and error handling."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from reviewer.classify import FileKind
from reviewer.model import Category, Severity
from reviewer.project import SourceFile
from reviewer.rules.registry import Hit, RuleContext, Speaks, rule
from reviewer.sources import fastapi_fixes as fx
from reviewer.sources.fastapi_routes import Route, app_names, handler_functions, route_path, routes_of
from reviewer.sources.modules import Resolved
from reviewer.sources.python_ast import (
    HTTP_CLIENTS,
    PythonModule,
    const_str,
    dotted,
    imported_name,
    keyword,
    local_imports,
    nodes,
    own_nodes,
)
from reviewer.sources.python_flow import Kind, flow
from reviewer.sources.python_outbound import configured_per_call, routes_calling
from reviewer.sources.python_reach import blocking_helper, function_io, handler_calls, offloaded, reach

_SESSION_FACTORY_NAME = re.compile(r"(?i)^(async_?)?session_?(local|maker|factory)$|^async_session$")
_LIVENESS_PATH = re.compile(r"(^|/)(health|healthz|live|livez|liveness)$")


def _app_like(mod: PythonModule, owner: str) -> bool:
    last = owner.rsplit(".", 1)[-1].lower()
    return owner in app_names(mod) or last in ("app", "application", "router", "api") or last.endswith(
        ("_app", "_router"))


@rule("fastapi-blocking-call-in-async", kinds={FileKind.PYTHON}, category=Category.FASTAPI,
      severity=Severity.ERROR, equivalents=("ASYNC210", "ASYNC212", "ASYNC220", "ASYNC221", "ASYNC222", "ASYNC251",
                                            "sync-sleep-in-async-code"))
def blocking_call_in_async(f: SourceFile, ctx: RuleContext) -> Iterator[Hit]:
    """Blocking call inside an `async def` route or dependency

    Why: an `async def` handler runs on the event loop itself. A synchronous sleep, HTTP call, DB
    query or subprocess there stalls every other request in the process until it returns, so one
    slow dependency freezes the whole service (and its health checks). FastAPI runs plain `def`
    handlers in a thread pool; `async def` handlers get no such protection.

    Fix:
        # either make the I/O async ...
        @router.get("/orders/{order_id}")
        async def get_order(order_id: int, request: Request, db: AsyncSession = Depends(get_db)):
            await asyncio.sleep(0.1)
            resp = await request.app.state.http.get(f"{INVENTORY_URL}/items/{order_id}")
            order = (await db.execute(select(Order).where(Order.id == order_id))).scalar_one()
        # ... or declare the handler with plain `def` so FastAPI runs it in its thread pool
        @router.get("/orders/{order_id}")
        def get_order(order_id: int, db: Session = Depends(get_db)): ...
    """
    mod = f.python if "async def" in f.text else None
    if mod is None:
        return
    for fn in handler_functions(mod):
        if not isinstance(fn, ast.AsyncFunctionDef):
            continue
        for call, env in handler_calls(mod, fn):
            io = flow(mod).io_call(call, env)
            if io is None:
                helper = blocking_helper(ctx.project, f.path, mod, fn, call)
                if helper is not None:
                    yield Hit(call.lineno, fx.helper_detail(fn, call, helper[1]), **fx.offload(f, call, fn))
                continue
            if not io.blocking or mod.is_awaited(call) or offloaded(mod, call):
                continue
            yield Hit(call.lineno, f"`{io.name}()` blocks the event loop in `async def {fn.name}`: use "
                                   f"{fx.ALTERNATIVE[io.what]}, or declare it with plain `def`",
                      **fx.offload(f, call, fn))


@rule("fastapi-http-client-per-request", kinds={FileKind.PYTHON}, category=Category.FASTAPI,
      severity=Severity.WARNING)
def http_client_per_request(f: SourceFile, ctx: RuleContext) -> Iterator[Hit]:
    """HTTP client built on every request

    Why: a new `httpx.AsyncClient`, `aiohttp.ClientSession` or `requests.Session` per request
    opens a new connection pool each time: a TCP (and TLS) handshake on every call, no keep-alive,
    and sockets left in TIME_WAIT that exhaust ports under load. Build one client at startup.

    Fix:
        @asynccontextmanager
        async def lifespan(app: FastAPI):
            async with httpx.AsyncClient(base_url=INVENTORY_URL, timeout=5.0) as client:
                app.state.inventory = client
                yield

        app = FastAPI(lifespan=lifespan)

        @app.get("/orders/{order_id}")
        async def get_order(order_id: int, request: Request):
            resp = await request.app.state.inventory.get(f"/items/{order_id}")
    """
    mod = f.python
    if mod is None:
        return
    helpers = [fn for fn in mod.functions.values() if id(fn) in routes_calling(mod)]  # one level down, same module
    for fn in dict.fromkeys([*handler_functions(mod), *helpers]):
        for call, _ in handler_calls(mod, fn):
            name = imported_name(mod, call.func)
            if name in HTTP_CLIENTS and not (fn in helpers and configured_per_call(fn, call)):
                yield Hit(call.lineno, f"`{name}()` is created inside `{fn.name}` on every request",
                          **fx.shared_client(name, fn))


@rule("fastapi-session-not-injected", kinds={FileKind.PYTHON}, category=Category.FASTAPI,
      severity=Severity.WARNING)
def session_not_injected(f: SourceFile, ctx: RuleContext) -> Iterator[Hit]:
    """Route opens its own database session instead of using a dependency

    Why: a session created inside the handler is not closed or rolled back when the handler
    raises, leaks connections from the pool, and cannot be replaced in tests. A `yield`
    dependency gives every request exactly one session with a guaranteed cleanup.

    Fix:
        def get_db() -> Iterator[Session]:
            with SessionLocal() as db:
                yield db

        @router.get("/orders/{order_id}")
        def get_order(order_id: int, db: Session = Depends(get_db)):
            return db.get(Order, order_id)
    """
    mod = f.python
    if mod is None:
        return
    fl = flow(mod)
    for route in routes_of(mod):
        for call, env in handler_calls(mod, route.func):
            kind = fl.kind_of(call, env)
            name = dotted(call.func) or ""
            imported = name not in env and (imported_name(mod, call.func) is not None or name in local_imports(mod))
            if kind in (Kind.SA_SESSION, Kind.SA_ASYNC_SESSION) or (
                    imported and not call.args and _SESSION_FACTORY_NAME.match(name.rsplit(".", 1)[-1])):
                yield Hit(call.lineno, f"`{name or 'Session'}()` is opened inside route `{route.func.name}`",
                          **fx.injected_session(name or "Session", route, kind is Kind.SA_ASYNC_SESSION))


@rule("fastapi-on-event-deprecated", kinds={FileKind.PYTHON}, category=Category.FASTAPI, severity=Severity.INFO,
      speaks=Speaks.AUDIT)
def on_event_deprecated(f: SourceFile, ctx: RuleContext) -> Iterator[Hit]:
    """Startup/shutdown hooks use the deprecated `on_event`

    Why: FastAPI says "on_event is deprecated, use lifespan event handlers instead"
    (`fastapi/applications.py`). With a lifespan, startup and shutdown live in one function,
    resources opened at startup are closed on shutdown, and state is passed without globals.
    Once a lifespan is set, `on_event` handlers are not called at all.

    Fix:
        @asynccontextmanager
        async def lifespan(app: FastAPI):
            app.state.http = httpx.AsyncClient(timeout=5.0)
            yield
            await app.state.http.aclose()

        app = FastAPI(lifespan=lifespan)
    """
    mod = f.python if "on_event" in f.text or "add_event_handler" in f.text else None
    if mod is None:
        return
    for node in nodes(mod, ast.Call):
        if not isinstance(node.func, ast.Attribute):
            continue
        attr, owner = node.func.attr, dotted(node.func.value) or ""
        event = const_str(node.args[0]) if node.args else const_str(
            keyword(node, "event_type").value if keyword(node, "event_type") else None)
        if attr in ("on_event", "add_event_handler") and event in ("startup", "shutdown") and _app_like(mod, owner):
            yield Hit(node.lineno, f"`{owner}.{attr}(\"{event}\")`; move it into a lifespan handler",
                      **fx.lifespan(mod, node, owner, event))


def _untyped_annotation(ann: ast.AST) -> bool:
    if isinstance(ann, ast.Subscript):
        ann = ann.value
    return (dotted(ann) or "").rsplit(".", 1)[-1] in ("dict", "Dict", "Any", "object", "JSONType")


def _returns_response(fn: ast.AST) -> tuple[bool, bool]:
    """(returns a value at all, returns a Response object somewhere)."""
    values = [n.value for n in own_nodes(fn) if isinstance(n, ast.Return) and n.value is not None
              and not (isinstance(n.value, ast.Constant) and n.value.value is None)]
    response = any(isinstance(v, ast.Call) and (dotted(v.func) or "").endswith("Response") for v in values)
    return bool(values), response


def _status_code(node: ast.AST | None) -> int | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, int):
        return node.value
    m = re.search(r"HTTP_(\d{3})", dotted(node) or "") if node is not None else None
    return int(m.group(1)) if m else None


@rule("fastapi-missing-response-model", kinds={FileKind.PYTHON}, category=Category.FASTAPI, severity=Severity.INFO,
      speaks=Speaks.AUDIT)
def missing_response_model(f: SourceFile, ctx: RuleContext) -> Iterator[Hit]:
    """Route has no response model

    Why: without `response_model` or a typed return annotation, FastAPI neither validates nor
    filters what the handler returns: an ORM object can leak columns such as `password_hash`,
    the OpenAPI schema says nothing about the response, and clients cannot be generated.

    Fix:
        class OrderOut(BaseModel):
            id: int
            status: OrderStatus
            total: Decimal

        @router.get("/orders/{order_id}", response_model=OrderOut)
        async def get_order(order_id: int) -> OrderOut: ...
    """
    mod = f.python
    if mod is None:
        return
    for route in routes_of(mod):
        if route.method in ("websocket", "route") or _route_is_exempt(route):
            continue
        if route.func.returns is not None and not _untyped_annotation(route.func.returns):
            continue
        returns_value, returns_response = _returns_response(route.func)
        if returns_value and not returns_response:
            if route.func.returns is None:
                yield Hit(route.line, f"`{route.func.name}` has no `response_model=` and no return annotation",
                          **fx.response_model(route))
            else:
                shown = ast.unparse(route.func.returns)
                yield Hit(route.line, f"`{route.func.name}` has no `response_model=` and returns `{shown}`, "
                                      "which FastAPI can neither document nor filter", **fx.response_model(route))


def _route_is_exempt(route: Route) -> bool:
    if route.kwarg("response_model") is not None or route.kwarg("response_class") is not None:
        return True
    hidden = route.kwarg("include_in_schema")
    return (isinstance(hidden, ast.Constant) and hidden.value is False) or _status_code(
        route.kwarg("status_code")) in (204, 304)


@rule("fastapi-health-calls-downstream", kinds={FileKind.PYTHON}, category=Category.RESILIENCE,
      severity=Severity.INFO, reads_model=True)
def health_calls_downstream(f: SourceFile, ctx: RuleContext) -> Iterator[Hit]:
    """Liveness endpoint checks downstream dependencies

    Why: a liveness probe answers "is this process stuck?". When it queries the database or
    calls another service, a short outage of that dependency fails every replica's probe at
    once, and Kubernetes restarts the whole fleet, turning a blip into an outage. Check
    dependencies in the readiness endpoint instead, which only takes a pod out of rotation.
    (Liveness is guessed from the path; where the Kubernetes probes are known, the k8s rules decide.)

    Fix:
        @app.get("/livez")
        async def livez() -> dict[str, str]:
            return {"status": "ok"}          # the process answers: that is all liveness means

        @app.get("/readyz")
        async def readyz(db: AsyncSession = Depends(get_db)) -> dict[str, str]:
            await db.execute(text("SELECT 1"))
            return {"status": "ready"}
    """
    mod = f.python
    from reviewer.services.routes import probes_known  # reads the service model: loaded only when it runs

    if mod is None or probes_known(ctx.project, ctx.service_roots, f.path):  # the k8s probe rules know better
        return
    for route in routes_of(mod):
        path = (route_path(mod, route) or route.path or "").rstrip("/")
        if not _LIVENESS_PATH.search(path):
            continue
        calls = function_io(mod, route.func)
        if calls:
            io = calls[0]
            yield Hit(io.node.lineno, f"liveness route `{path}` does {_io_kind(io.what)} I/O: `{io.name}()`",
                      **fx.liveness(route, path, io.name))
            continue
        trail = reach(ctx.project, Resolved(f.path, mod, route.func), depth=2)
        if trail is not None:
            yield Hit(trail.call.lineno, f"liveness route `{path}` does {_io_kind(trail.io.what)} I/O: "
                                         f"`{dotted(trail.call.func)}()` calls {trail.where()}",
                      **fx.liveness(route, path, str(dotted(trail.call.func))))


def _io_kind(what: str) -> str:
    return "database" if what == "db" else "outbound HTTP" if what == "http" else what


@rule("fastapi-dangling-task", kinds={FileKind.PYTHON}, category=Category.FASTAPI, severity=Severity.WARNING,
      equivalents=("RUF006",))
def dangling_task(f: SourceFile, ctx: RuleContext) -> Iterator[Hit]:
    """Background task created and forgotten in a request handler

    Why: the event loop keeps only a weak reference to a task. A task whose result is thrown
    away can be garbage-collected mid-flight, its exceptions are never seen, and shutdown does
    not wait for it: the work is silently lost on deploys.

    Fix:
        @router.post("/orders", status_code=202)
        async def create_order(order: OrderIn, background_tasks: BackgroundTasks):
            background_tasks.add_task(send_confirmation, order.email)
            return {"status": "accepted"}
    """
    mod = f.python
    if mod is None:
        return
    fl = flow(mod)
    for fn in handler_functions(mod):
        env = fl.env(fn)
        for node in own_nodes(fn):
            if not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)):
                continue
            call = node.value
            name = imported_name(mod, call.func)
            on_loop = isinstance(call.func, ast.Attribute) and call.func.attr == "create_task" and fl.kind_of(
                call.func.value, env) is Kind.EVENT_LOOP
            if name in ("asyncio.create_task", "asyncio.ensure_future") or on_loop:
                shown = name or "loop.create_task"
                yield Hit(call.lineno, f"the task from `{shown}()` in `{fn.name}` is not kept", **fx.task(call, fn))


_LOG_CALL = re.compile(r"(?i)(^|\.)(log|logger|logging|_log|_logger|structlog)\.(exception|error|warning|warn|"
                       r"critical)$|(^|\.)capture_exception$")


def _broad_handler(handler: ast.ExceptHandler) -> bool:
    if handler.type is None:
        return True
    types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any((dotted(t) or "").rsplit(".", 1)[-1] in ("Exception", "BaseException") for t in types)


def _handler_outcome(handler: ast.ExceptHandler) -> str:
    """'raises' (re-raise or an error response), 'returns' (a success value), 'logs' or 'swallows'."""
    logged = False
    success_return = False
    for node in own_nodes(handler):
        if isinstance(node, ast.Raise):
            return "raises"
        if isinstance(node, ast.Assign) and any((dotted(t) or "").endswith(".status_code") for t in node.targets):
            return "raises"
        if isinstance(node, ast.Return):
            if _is_error_response(node.value):
                return "raises"
            success_return = True
        if isinstance(node, ast.Call) and _LOG_CALL.search(dotted(node.func) or ""):
            logged = True
    return "returns" if success_return else "logs" if logged else "swallows"


def _is_error_response(value: ast.AST | None) -> bool:
    if not isinstance(value, ast.Call) or not (dotted(value.func) or "").endswith("Response"):
        return False
    kw = keyword(value, "status_code")
    node = kw.value if kw else (value.args[1] if len(value.args) >= 2 else None)
    if node is None:
        return False
    code = _status_code(node)
    return code is None or code >= 400


@rule("fastapi-swallowed-exception", kinds={FileKind.PYTHON}, category=Category.OPERABILITY,
      severity=Severity.INFO, equivalents=("BLE001", "S110"))
def swallowed_exception(f: SourceFile, ctx: RuleContext) -> Iterator[Hit]:
    """Route catches every exception and hides the failure

    Why: `except Exception:` that neither re-raises nor returns an error status turns a failed
    database write or downstream call into a 200 response: the client believes it worked,
    error-rate alerts stay green, and nobody sees the traceback. (A handler that logs the error
    and carries on is taken as a deliberate best-effort step and left alone.)

    Fix:
        try:
            await payments.charge(order)
        except PaymentDeclined as exc:          # catch what you can handle
            raise HTTPException(status_code=402, detail=str(exc)) from exc
        # anything else propagates: FastAPI logs it and answers 500
    """
    mod = f.python
    if mod is None:
        return
    for route in routes_of(mod):
        for node in own_nodes(route.func):
            if isinstance(node, ast.ExceptHandler) and _broad_handler(node):
                outcome = _handler_outcome(node)
                if outcome in ("returns", "swallows"):
                    what = "returns a success response" if outcome == "returns" else "neither raises nor logs"
                    caught = "bare `except:`" if node.type is None else f"`except {ast.unparse(node.type)}`"
                    yield Hit(node.lineno, f"{caught} in route `{route.func.name}` {what}",
                              **fx.narrow_except(mod, node, route))
