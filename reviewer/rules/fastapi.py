"""FastAPI service code: async correctness, dependency injection, lifespan, security settings, routes."""

from __future__ import annotations

import ast
import itertools
import re
from collections.abc import Iterator

from reviewer.classify import FileKind
from reviewer.model import Category, Severity
from reviewer.project import SourceFile
from reviewer.rules.helpers import URL_WITH_PASSWORD
from reviewer.rules.pyflow import (
    Kind,
    flow,
    function_io,
    handler_calls,
    imported_name,
    is_test_path,
    local_imports,
    nodes,
    offloaded,
    own_nodes,
)
from reviewer.rules.registry import Hit, RuleContext, rule
from reviewer.sources.python_ast import PythonModule, Route, const_str, dotted, has_star_kwargs, keyword

_ALTERNATIVE = {
    "sleep": "`await asyncio.sleep(...)`",
    "http": "a shared `httpx.AsyncClient` (`await client.get(...)`)",
    "db": "an async driver (`AsyncSession` with `await db.execute(...)`, asyncpg)",
    "process": "`await asyncio.create_subprocess_exec(...)`",
    "aws": "`aioboto3` or `await asyncio.to_thread(...)`",
}
_CLIENT_CONSTRUCTORS = {"httpx.Client", "httpx.AsyncClient", "aiohttp.ClientSession", "requests.Session",
                        "requests.session", "requests.sessions.Session"}
_SESSION_FACTORY_NAME = re.compile(r"(?i)^(async_?)?session_?(local|maker|factory)$|^async_session$")
_LIVENESS_PATH = re.compile(r"(^|/)(health|healthz|live|livez|liveness)$")
_PROBE_ORIGIN = "https://attacker.example"


def _app_like(mod: PythonModule, owner: str) -> bool:
    last = owner.rsplit(".", 1)[-1].lower()
    return owner in mod.app_names or last in ("app", "application", "router", "api") or last.endswith(
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
    for fn in mod.handler_functions:
        if not isinstance(fn, ast.AsyncFunctionDef):
            continue
        for call, env in handler_calls(mod, fn):
            io = flow(mod).io_call(call, env)
            if io is None or not io.blocking or mod.is_awaited(call) or offloaded(mod, call):
                continue
            yield Hit(call.lineno, f"`{io.name}()` blocks the event loop in `async def {fn.name}`: use "
                                   f"{_ALTERNATIVE[io.what]}, or declare it with plain `def`")


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
    for fn in mod.handler_functions:
        for call, _ in handler_calls(mod, fn):
            name = imported_name(mod, call.func)
            if name in _CLIENT_CONSTRUCTORS:
                yield Hit(call.lineno, f"`{name}()` is created inside `{fn.name}` on every request")


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
    for route in mod.routes:
        for call, env in handler_calls(mod, route.func):
            kind = fl.kind_of(call, env)
            name = dotted(call.func) or ""
            imported = name not in env and (imported_name(mod, call.func) is not None or name in local_imports(mod))
            if kind in (Kind.SA_SESSION, Kind.SA_ASYNC_SESSION) or (
                    imported and not call.args and _SESSION_FACTORY_NAME.match(name.rsplit(".", 1)[-1])):
                yield Hit(call.lineno, f"`{name or 'Session'}()` is opened inside route `{route.func.name}`")


@rule("fastapi-on-event-deprecated", kinds={FileKind.PYTHON}, category=Category.FASTAPI, severity=Severity.INFO)
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
            yield Hit(node.lineno, f"`{owner}.{attr}(\"{event}\")`; move it into a lifespan handler")


def _module_literal(mod: PythonModule, node: ast.AST | None) -> object:
    """The value of a literal, or of a module-level name bound once to a literal; None otherwise."""
    if isinstance(node, ast.Name):
        values = [n.value for n in mod.tree.body if isinstance(n, (ast.Assign, ast.AnnAssign)) and n.value is not None
                  and any(isinstance(t, ast.Name) and t.id == node.id
                          for t in (n.targets if isinstance(n, ast.Assign) else [n.target]))]
        node = values[0] if len(values) == 1 else None
    if node is None:
        return None
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return None


def _matches_any_origin(pattern: object) -> bool:
    if not isinstance(pattern, str):
        return False
    try:
        return re.fullmatch(pattern, _PROBE_ORIGIN) is not None
    except re.error:
        return False


@rule("fastapi-cors-wildcard-credentials", kinds={FileKind.PYTHON}, category=Category.SECURITY,
      severity=Severity.ERROR, equivalents=("wildcard-cors",))
def cors_wildcard_credentials(f: SourceFile, ctx: RuleContext) -> Iterator[Hit]:
    """CORS allows any origin together with credentials

    Why: with `allow_credentials=True`, Starlette answers a `*` origin by echoing the caller's own
    `Origin` back (`starlette/middleware/cors.py`), so any website a user visits can make
    authenticated requests with their cookies and read the responses.

    Fix:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=["https://app.example.com", "https://admin.example.com"],
            allow_credentials=True,
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type"],
        )
    """
    mod = f.python if "CORSMiddleware" in f.text else None
    if mod is None:
        return
    for node in nodes(mod, ast.Call):
        target = node.func if (dotted(node.func) or "").endswith("CORSMiddleware") else (
            node.args[0] if node.args else None)
        if target is None or not (dotted(target) or "").endswith("CORSMiddleware"):
            continue
        creds = keyword(node, "allow_credentials")
        if creds is None or _module_literal(mod, creds.value) is not True:
            continue
        origins, regex = keyword(node, "allow_origins"), keyword(node, "allow_origin_regex")
        value = _module_literal(mod, origins.value) if origins else None
        if value == "*" or (isinstance(value, (list, tuple, set)) and "*" in value):
            yield Hit(origins.value.lineno, "`allow_origins` contains \"*\" and `allow_credentials=True`")
        elif regex is not None and _matches_any_origin(_module_literal(mod, regex.value)):
            yield Hit(regex.value.lineno, "`allow_origin_regex` matches every origin and `allow_credentials=True`")


_JWT_DECODE = {"jwt.decode", "jwt.decode_complete", "jwt.api_jwt.decode", "jwt.api_jwt.decode_complete",
               "jose.jwt.decode"}


def _jwt_problem(mod: PythonModule, call: ast.Call) -> tuple[int, str] | None:
    options = keyword(call, "options")
    opts = _module_literal(mod, options.value) if options else None
    if isinstance(opts, dict) and opts.get("verify_signature") is False:
        return options.value.lineno, "`options={\"verify_signature\": False}` accepts forged tokens"
    verify = keyword(call, "verify")
    if verify is not None and _module_literal(mod, verify.value) is False:
        return verify.value.lineno, "`verify=False` accepts forged tokens"
    algs = keyword(call, "algorithms")
    node = algs.value if algs else (call.args[2] if len(call.args) >= 3 else None)
    value = _module_literal(mod, node)
    names = [value] if isinstance(value, str) else value if isinstance(value, (list, tuple, set)) else []
    if any(isinstance(a, str) and a.lower() == "none" for a in names):
        return node.lineno, "`\"none\"` is an allowed algorithm: unsigned tokens pass"
    if (node is None and not has_star_kwargs(call)) or (isinstance(node, ast.Constant) and node.value is None):
        return call.lineno, "no `algorithms=`: the token's own header chooses how it is checked"
    return None


@rule("fastapi-jwt-verification-disabled", kinds={FileKind.PYTHON}, category=Category.SECURITY,
      severity=Severity.ERROR, equivalents=("unverified-jwt-decode", "jwt-none-alg", "jwt-python-none-alg"))
def jwt_verification_disabled(f: SourceFile, ctx: RuleContext) -> Iterator[Hit]:
    """JWT decoded without verifying its signature or algorithm

    Why: a token whose signature is not checked, or whose algorithm list allows `none` (or is
    left to the token header), can be forged by anyone: change `sub` to an admin id and the
    service believes it.

    Fix:
        payload = jwt.decode(
            token,
            settings.jwt_public_key,
            algorithms=["RS256"],
            audience="orders-api",
        )
    """
    mod = f.python if "jwt" in f.text else None
    if mod is None:
        return
    for node in nodes(mod, ast.Call):
        if imported_name(mod, node.func) in _JWT_DECODE:
            problem = _jwt_problem(mod, node)
            if problem is not None:
                yield Hit(*problem)


_TOKEN = re.compile(r"(?<![A-Za-z0-9])(sk_live_[0-9A-Za-z]{10,}|rk_live_[0-9A-Za-z]{10,}|(AKIA|ASIA)[0-9A-Z]{16}|"
                    r"gh[pousr]_[0-9A-Za-z]{30,}|github_pat_[0-9A-Za-z_]{30,}|xox[abposr]-[0-9A-Za-z-]{10,}|"
                    r"sk-ant-[0-9A-Za-z_-]{20,})(?![A-Za-z0-9])")
_PLACEHOLDER = re.compile(r"(?i)change.?me|^your[-_ ]|[-_ ]here$|example|placeholder|replace.?me|dummy|fake|redacted|"
                          r"^(test|mock|sample)[-_]|"
                          r"x{4,}|\*{3,}|^<.*>$|\$\{|\{\{|^\$[A-Z_]+$|^%\(")
_NAME_WORDS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")
_SECRET_WORDS = {"password", "passwd", "pwd", "secret", "token", "apikey", "credential", "credentials", "passphrase"}
_SECRET_PAIRS = {("api", "key"), ("private", "key"), ("access", "key"), ("signing", "key"), ("secret", "key"),
                 ("encryption", "key"), ("auth", "key"), ("client", "secret"), ("jwt", "key"), ("master", "key")}
_NOT_SECRET_SUFFIX = {"header", "name", "url", "uri", "endpoint", "path", "field", "env", "var", "prefix", "type",
                      "alg", "algorithm", "algorithms", "file", "param", "cookie", "msg", "message", "error", "detail",
                      "length", "len", "expire", "expires", "minutes", "seconds", "ttl", "scheme", "location", "label",
                      "regex", "pattern", "id", "kind", "mode", "format", "description", "title", "help", "hint",
                      "policy", "version", "route", "tag", "scope", "scopes", "audience", "issuer", "hash",
                      "template", "dir", "column", "table", "attr", "attribute", "model", "schema", "method", "methods",
                      "event", "status", "state", "reason", "query", "lifetime", "size", "count"}
_PLACEHOLDER_NAME = {"fake", "dummy", "example", "sample", "mock", "test"}
_DEFAULT_PASSWORDS = {"password", "pass", "pwd", "secret", "postgres", "guest", "root", "admin", "user", "test"}
_GETENV = {"os.getenv", "os.environ.get", "os.environ.setdefault"}
_JWT_KEYED = {"jwt.encode", "jose.jwt.encode", *_JWT_DECODE}


def _secret_name(name: str) -> bool:
    words = [w.lower() for w in _NAME_WORDS.findall(name)]
    if not words or words[-1] in _NOT_SECRET_SUFFIX or _PLACEHOLDER_NAME & set(words):
        return False
    return bool(_SECRET_WORDS & set(words)) or any(pair in _SECRET_PAIRS for pair in itertools.pairwise(words))


def _names_itself(name: str, text: str) -> bool:
    """``ACCESS_TOKEN = "polar_access_token"`` or ``CSRF_TOKEN_KEY = "csrftoken"``: a label that names
    the secret (an enum value, a cookie or dict key), not the secret itself."""
    value, label = re.sub(r"[^a-z0-9]", "", text.lower()), re.sub(r"[^a-z0-9]", "", name.lower())
    return value in label or value.endswith(label)


def _secret_value(value: object) -> bool:
    if not isinstance(value, str):
        return False
    text = value.strip()
    if len(text) < 8 or any(c.isspace() for c in text) or _PLACEHOLDER.search(text):
        return False
    looks_like_name = re.fullmatch(r"[A-Z][A-Z0-9_]*|[xX]-[\w-]+|/[\w/{}.-]*|https?://[^@\s]*", text)
    return looks_like_name is None


def _literal_default(node: ast.AST | None) -> ast.AST | None:
    """The literal of ``x = "..."``, ``Field("...")``, ``Field(default="...")`` or ``SecretStr("...")``."""
    if isinstance(node, ast.Call) and (dotted(node.func) or "").rsplit(".", 1)[-1] in ("Field", "SecretStr"):
        kw = keyword(node, "default")
        return kw.value if kw else (node.args[0] if node.args else None)
    return node


def _enclosing_scope(mod: PythonModule, node: ast.AST) -> ast.AST | None:
    parent = mod.parents.get(node)
    while parent is not None and not isinstance(parent, (ast.Module, ast.ClassDef, ast.FunctionDef,
                                                         ast.AsyncFunctionDef, ast.Lambda)):
        parent = mod.parents.get(parent)
    return parent


def _named_literals(mod: PythonModule) -> Iterator[tuple[str, ast.AST | None]]:
    """(name, value) for module/class assignments, default arguments and call keywords."""
    for node in nodes(mod, ast.Assign, ast.AnnAssign, ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.Call):
        scope = _enclosing_scope(mod, node) if isinstance(node, (ast.Assign, ast.AnnAssign)) else None
        if isinstance(scope, ast.ClassDef) and any("Enum" in (dotted(b) or "") for b in scope.bases):
            continue  # enum members are labels
        if isinstance(scope, (ast.Module, ast.ClassDef)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for t in targets:
                name = dotted(t)
                if name:
                    yield name.rsplit(".", 1)[-1], _literal_default(node.value)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            args = node.args
            positional = [*args.posonlyargs, *args.args]
            yield from ((a.arg, d) for a, d in zip(positional[len(positional) - len(args.defaults):], args.defaults,
                                                  strict=True))
            yield from ((a.arg, d) for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d is not None)
        elif isinstance(node, ast.Call):
            yield from ((kw.arg, kw.value) for kw in node.keywords if kw.arg)
            name = imported_name(mod, node.func)
            if name in _GETENV and len(node.args) >= 2 and isinstance(const_str(node.args[0]), str):
                yield const_str(node.args[0]) or "", node.args[1]
            elif name in _JWT_KEYED and len(node.args) >= 2:
                yield "jwt_secret", node.args[1]


_DOC_KEYWORDS = {"example", "examples", "description", "help", "json_schema_extra", "openapi_examples", "summary"}


def _documentation(mod: PythonModule, node: ast.AST) -> bool:
    """A literal inside ``Field(examples=[...])``, ``description=`` and the like documents, not configures."""
    parent = mod.parents.get(node)
    while parent is not None and not isinstance(parent, ast.stmt):
        if isinstance(parent, ast.keyword) and parent.arg in _DOC_KEYWORDS:
            return True
        parent = mod.parents.get(parent)
    return False


def _docstrings(mod: PythonModule) -> set[int]:
    out = set()
    for node in [mod.tree, *nodes(mod, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)]:
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) and isinstance(
                body[0].value, ast.Constant):
            out.add(id(body[0].value))
    return out


def _secrets(mod: PythonModule) -> Iterator[tuple[int, str]]:
    for name, value in _named_literals(mod):
        text = const_str(value)
        if text is not None and _secret_name(name) and _secret_value(text) and not _names_itself(name, text):
            yield value.lineno, f"`{name}` is set to a literal"  # type: ignore[union-attr]
    docstrings = _docstrings(mod)
    for node in nodes(mod, ast.Constant):
        text = const_str(node)
        if text is None or len(text) < 8 or id(node) in docstrings or _documentation(mod, node):
            continue
        token = _TOKEN.search(text)
        if token and not _PLACEHOLDER.search(token.group(0)):
            yield node.lineno, f"a literal `{token.group(0)[:8]}…` credential"
        dsn = URL_WITH_PASSWORD.search(text)
        if dsn and not _PLACEHOLDER.search(dsn.group(1)) and "{" not in dsn.group(1) and \
                dsn.group(1).lower() not in _DEFAULT_PASSWORDS and not isinstance(mod.parents.get(node), ast.JoinedStr):
            yield node.lineno, "a connection URL with a literal password"


@rule("fastapi-hardcoded-secret", kinds={FileKind.PYTHON}, category=Category.SECURITY, severity=Severity.ERROR,
      equivalents=("S105", "S106", "S107", "jwt-python-hardcoded-secret"))
def hardcoded_secret(f: SourceFile, ctx: RuleContext) -> Iterator[Hit]:
    """Secret hard-coded in source

    Why: a literal key, password or token is in every clone, fork, image layer and CI log of the
    repository, cannot be rotated without a deploy, and is shared by every environment. A
    `BaseSettings` default has the same effect: production silently runs with it when the
    variable is missing.

    Fix:
        class Settings(BaseSettings):
            jwt_secret: SecretStr          # no default: startup fails when JWT_SECRET is unset
            database_url: PostgresDsn

        settings = Settings()
    """
    mod = f.python
    if mod is None or is_test_path(f.path):
        return
    for line, detail in _secrets(mod):
        yield Hit(line, detail)


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


@rule("fastapi-missing-response-model", kinds={FileKind.PYTHON}, category=Category.FASTAPI, severity=Severity.INFO)
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
    for route in mod.routes:
        if route.method in ("websocket", "route") or _route_is_exempt(route):
            continue
        if route.func.returns is not None and not _untyped_annotation(route.func.returns):
            continue
        returns_value, returns_response = _returns_response(route.func)
        if returns_value and not returns_response:
            yield Hit(route.line, f"`{route.func.name}` has no `response_model=` and no typed return annotation")


def _route_is_exempt(route: Route) -> bool:
    if route.kwarg("response_model") is not None or route.kwarg("response_class") is not None:
        return True
    hidden = route.kwarg("include_in_schema")
    return (isinstance(hidden, ast.Constant) and hidden.value is False) or _status_code(
        route.kwarg("status_code")) in (204, 304)


_DEV_ONLY = re.compile(r"(?i)\bdev|develop|\blocal")


def _dev_only(mod: PythonModule, node: ast.AST) -> bool:
    """Under ``if __name__ == "__main__"``, or in a function that says it is for development
    (``def run_dev_server``, ``@cli.command("develop")``, a docstring "for local development")."""
    parent = mod.parents.get(node)
    while parent is not None:
        if isinstance(parent, ast.If) and "__main__" in ast.unparse(parent.test) and "__name__" in ast.unparse(
                parent.test):
            return True
        if isinstance(parent, (ast.FunctionDef, ast.AsyncFunctionDef)):
            said = " ".join([parent.name.replace("_", " "), *(ast.unparse(d) for d in parent.decorator_list),
                             ast.get_docstring(parent) or ""])
            if _DEV_ONLY.search(said):
                return True
        parent = mod.parents.get(parent)
    return False


@rule("fastapi-debug-enabled", kinds={FileKind.PYTHON}, category=Category.SECURITY, severity=Severity.WARNING,
      equivalents=("debug-enabled",))
def debug_enabled(f: SourceFile, ctx: RuleContext) -> Iterator[Hit]:
    """Debug mode or auto-reload enabled in application code

    Why: `FastAPI(debug=True)` returns full tracebacks, with source lines and local values, to
    any client that triggers an error. `uvicorn.run(reload=True)` outside a `__main__` guard
    ships the file watcher into production: extra CPU, a single worker and restarts on any write.

    Fix:
        app = FastAPI(debug=settings.debug)  # False unless DEBUG=1 in a dev environment

        if __name__ == "__main__":
            uvicorn.run("app.main:app", host="0.0.0.0", port=8000, reload=True)
    """
    mod = f.python if "debug" in f.text or "reload" in f.text else None
    if mod is None:
        return
    for node in nodes(mod, ast.Call, ast.Assign):
        if isinstance(node, ast.Call):
            name = imported_name(mod, node.func) or ""
            debug = keyword(node, "debug")
            if name.rsplit(".", 1)[-1] in ("FastAPI", "Starlette") and debug and _module_literal(
                    mod, debug.value) is True:
                yield Hit(debug.value.lineno, f"`{name.rsplit('.', 1)[-1]}(debug=True)` sends tracebacks to clients")
            reload = keyword(node, "reload")
            if name == "uvicorn.run" and reload and _module_literal(mod, reload.value) is True and not \
                    _dev_only(mod, node):
                yield Hit(reload.value.lineno, "`uvicorn.run(reload=True)` runs outside `if __name__ == \"__main__\"`")
        elif isinstance(node, ast.Assign) and _module_literal(mod, node.value) is True:
            for t in node.targets:
                name = dotted(t) or ""
                if name.endswith(".debug") and name.rsplit(".", 1)[0] in mod.app_names:
                    yield Hit(node.lineno, f"`{name} = True` sends tracebacks to clients")


def _full_path(mod: PythonModule, route: Route) -> str:
    prefix = ""
    for node in mod.tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) and any(
                dotted(t) == route.router for t in node.targets):
            kw = keyword(node.value, "prefix")
            prefix = (const_str(kw.value) if kw else None) or ""
    return (prefix + (route.path or "")).rstrip("/")


@rule("fastapi-health-calls-downstream", kinds={FileKind.PYTHON}, category=Category.RESILIENCE,
      severity=Severity.INFO)
def health_calls_downstream(f: SourceFile, ctx: RuleContext) -> Iterator[Hit]:
    """Liveness endpoint checks downstream dependencies

    Why: a liveness probe answers "is this process stuck?". When it queries the database or
    calls another service, a short outage of that dependency fails every replica's probe at
    once, and Kubernetes restarts the whole fleet, turning a blip into an outage. Check
    dependencies in the readiness endpoint instead, which only takes a pod out of rotation.

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
    if mod is None:
        return
    for route in mod.routes:
        path = _full_path(mod, route)
        if not _LIVENESS_PATH.search(path):
            continue
        calls = function_io(mod, route.func)
        if calls:
            io = calls[0]
            kind = "database" if io.what == "db" else "outbound HTTP" if io.what == "http" else io.what
            yield Hit(io.node.lineno, f"liveness route `{path}` does {kind} I/O: `{io.name}()`")


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
    for fn in mod.handler_functions:
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
                yield Hit(call.lineno, f"the task from `{shown}()` in `{fn.name}` is not kept")


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
    for route in mod.routes:
        for node in own_nodes(route.func):
            if isinstance(node, ast.ExceptHandler) and _broad_handler(node):
                outcome = _handler_outcome(node)
                if outcome in ("returns", "swallows"):
                    what = "returns a success response" if outcome == "returns" else "neither raises nor logs"
                    caught = "bare `except:`" if node.type is None else f"`except {ast.unparse(node.type)}`"
                    yield Hit(node.lineno, f"{caught} in route `{route.func.name}` {what}")
