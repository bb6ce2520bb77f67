"""Shared Python analysis for the FastAPI and HTTP rules: what a name holds, and what a call does.

``flow(mod)`` answers two questions the rules keep asking:

- which names hold an HTTP client, a SQLAlchemy session/engine or a boto3 client
  (``s = requests.Session()``, ``with httpx.Client() as c``, ``db: Session = Depends(get_db)``,
  ``self.http = httpx.AsyncClient()``, a Depends target that yields ``SessionLocal()``);
- what a call does: outbound HTTP, database, sleep, subprocess or AWS I/O, and whether it blocks.

Bindings are flow-insensitive: a name bound to two different kinds in one scope is unknown,
so the rules stay quiet rather than guess.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum

from reviewer.sources.python_ast import (
    HTTP_VERBS,
    SCOPES,
    FunctionNode,
    PythonModule,
    dotted,
    imported_name,
    nodes,
    own_nodes,
)

Env = dict[str, "Kind | None"]


class Kind(StrEnum):
    REQUESTS_SESSION = "requests.Session"
    HTTPX_CLIENT = "httpx.Client"
    HTTPX_ASYNC_CLIENT = "httpx.AsyncClient"
    AIOHTTP_SESSION = "aiohttp.ClientSession"
    SA_SESSION = "sqlalchemy Session"
    SA_ASYNC_SESSION = "sqlalchemy AsyncSession"
    SA_SESSIONMAKER = "sessionmaker"
    SA_ASYNC_SESSIONMAKER = "async_sessionmaker"
    SA_ENGINE = "sqlalchemy Engine"
    SA_ASYNC_ENGINE = "sqlalchemy AsyncEngine"
    SA_CONNECTION = "sqlalchemy Connection"
    SA_ASYNC_CONNECTION = "sqlalchemy AsyncConnection"
    BOTO3_SESSION = "boto3.Session"
    BOTO3 = "boto3 client"
    EVENT_LOOP = "event loop"


CONSTRUCTORS: dict[str, Kind] = {
    "requests.Session": Kind.REQUESTS_SESSION, "requests.session": Kind.REQUESTS_SESSION,
    "requests.sessions.Session": Kind.REQUESTS_SESSION,
    "httpx.Client": Kind.HTTPX_CLIENT, "httpx.AsyncClient": Kind.HTTPX_ASYNC_CLIENT,
    "aiohttp.ClientSession": Kind.AIOHTTP_SESSION,
    "sqlalchemy.orm.Session": Kind.SA_SESSION, "sqlalchemy.orm.session.Session": Kind.SA_SESSION,
    "sqlmodel.Session": Kind.SA_SESSION,
    "sqlalchemy.ext.asyncio.AsyncSession": Kind.SA_ASYNC_SESSION,
    "sqlmodel.ext.asyncio.session.AsyncSession": Kind.SA_ASYNC_SESSION,
    "sqlalchemy.orm.sessionmaker": Kind.SA_SESSIONMAKER, "sqlalchemy.orm.scoped_session": Kind.SA_SESSIONMAKER,
    "sqlalchemy.ext.asyncio.async_sessionmaker": Kind.SA_ASYNC_SESSIONMAKER,
    "sqlalchemy.create_engine": Kind.SA_ENGINE, "sqlmodel.create_engine": Kind.SA_ENGINE,
    "sqlalchemy.ext.asyncio.create_async_engine": Kind.SA_ASYNC_ENGINE,
    "boto3.client": Kind.BOTO3, "boto3.resource": Kind.BOTO3,
    "boto3.Session": Kind.BOTO3_SESSION, "boto3.session.Session": Kind.BOTO3_SESSION,
    "asyncio.get_event_loop": Kind.EVENT_LOOP, "asyncio.get_running_loop": Kind.EVENT_LOOP,
}
HTTP_CLIENTS = frozenset({Kind.REQUESTS_SESSION, Kind.HTTPX_CLIENT, Kind.HTTPX_ASYNC_CLIENT, Kind.AIOHTTP_SESSION})
_PRODUCTS = {  # what calling a value of this kind, or a method of it, gives back
    (Kind.SA_SESSIONMAKER, None): Kind.SA_SESSION, (Kind.SA_ASYNC_SESSIONMAKER, None): Kind.SA_ASYNC_SESSION,
    (Kind.SA_SESSIONMAKER, "begin"): Kind.SA_SESSION, (Kind.SA_ASYNC_SESSIONMAKER, "begin"): Kind.SA_ASYNC_SESSION,
    (Kind.SA_ENGINE, "connect"): Kind.SA_CONNECTION, (Kind.SA_ENGINE, "begin"): Kind.SA_CONNECTION,
    (Kind.SA_ASYNC_ENGINE, "connect"): Kind.SA_ASYNC_CONNECTION,
    (Kind.SA_ASYNC_ENGINE, "begin"): Kind.SA_ASYNC_CONNECTION,
    (Kind.BOTO3_SESSION, "client"): Kind.BOTO3, (Kind.BOTO3_SESSION, "resource"): Kind.BOTO3,
}

HTTP_METHODS = HTTP_VERBS | {"request", "send", "stream"}
_SESSION_IO = frozenset({"query", "execute", "scalar", "scalars", "get", "get_one", "commit", "flush", "refresh",
                         "merge", "rollback", "bulk_save_objects", "bulk_insert_mappings", "bulk_update_mappings",
                         "connection", "exec"})
_CONNECTION_IO = frozenset({"execute", "exec_driver_sql", "scalar", "scalars", "commit", "rollback"})
_ENGINE_IO = frozenset({"connect", "begin", "raw_connection"})
_BOTO3_LOCAL = frozenset({"get_paginator", "get_waiter", "generate_presigned_url", "generate_presigned_post",
                          "can_paginate", "close"})
_DB_IO = {
    Kind.SA_SESSION: _SESSION_IO, Kind.SA_ASYNC_SESSION: _SESSION_IO | {"stream", "stream_scalars"},
    Kind.SA_CONNECTION: _CONNECTION_IO, Kind.SA_ASYNC_CONNECTION: _CONNECTION_IO | {"stream"},
    Kind.SA_ENGINE: _ENGINE_IO, Kind.SA_ASYNC_ENGINE: _ENGINE_IO,
}
_BLOCKING_KINDS = frozenset({Kind.REQUESTS_SESSION, Kind.HTTPX_CLIENT, Kind.SA_SESSION, Kind.SA_CONNECTION,
                             Kind.SA_ENGINE, Kind.BOTO3})

# Module-level calls: qualified name -> (what, blocking)
_MODULE_CALLS: dict[str, tuple[str, bool]] = {
    "time.sleep": ("sleep", True),
    **{f"requests.{v}": ("http", True) for v in HTTP_VERBS | {"request"}},
    **{f"httpx.{v}": ("http", True) for v in HTTP_VERBS | {"request", "stream"}},
    "urllib.request.urlopen": ("http", True), "urllib.request.urlretrieve": ("http", True),
    "urllib3.request": ("http", True),
    **{f"subprocess.{f}": ("process", True) for f in
       ("run", "call", "check_call", "check_output", "Popen", "getoutput", "getstatusoutput")},
    "os.system": ("process", True), "os.popen": ("process", True),
    "psycopg2.connect": ("db", True), "pymysql.connect": ("db", True), "psycopg.connect": ("db", True),
    "mysql.connector.connect": ("db", True), "MySQLdb.connect": ("db", True),
    "boto3.client": ("aws", True), "boto3.resource": ("aws", True),
    "asyncpg.connect": ("db", False), "asyncpg.create_pool": ("db", False), "aiomysql.connect": ("db", False),
    "psycopg.AsyncConnection.connect": ("db", False),
}
# Loose I/O guess for receivers we cannot type (used only where an info-level rule needs it).
_IO_RECEIVER = re.compile(r"(?i)(^|_)(db|database|session|conn|connection|pool|redis|cache|engine|mongo|"
                          r"client|http|es|kafka|producer|broker|rabbit|channel)s?$")
_LOOSE_IO_METHODS = frozenset({"execute", "fetch", "fetchrow", "fetchval", "fetch_one", "fetch_all", "fetch_val",
                               "ping", "query", "scalar", "info", "command", "exec_driver_sql", "health_check",
                               "server_info", "cluster_health"}) | HTTP_VERBS | {"request"}


@dataclass(frozen=True)
class IOCall:
    """A call that leaves the process (or sleeps)."""

    node: ast.Call
    name: str  # as written, for messages: "requests.get", "db.query", "client.get"
    what: str  # http | db | sleep | process | aws
    blocking: bool  # synchronous: stalls the event loop when called from ``async def``


class Flow:
    """Per-module binding analysis; build once with ``flow(mod)``."""

    def __init__(self, mod: PythonModule) -> None:
        self.mod = mod
        self._aliases = self._annotation_aliases()
        self._envs: dict[int, Env] = {}
        self._yield_kinds: dict[str, Kind | None] = {}
        self._calls: list[tuple[ast.Call, ast.AST, Env]] | None = None
        self.module_env = self._bind(mod.tree, {})

    # --- what an expression holds -------------------------------------------------------------
    def kind_of(self, expr: ast.AST | None, env: Env) -> Kind | None:
        if isinstance(expr, ast.Await):
            expr = expr.value
        if isinstance(expr, ast.Call):
            qual = imported_name(self.mod, expr.func)
            if qual in CONSTRUCTORS:
                kind = CONSTRUCTORS[qual]
                if kind is Kind.SA_SESSIONMAKER and self._async_class(expr):
                    return Kind.SA_ASYNC_SESSIONMAKER
                return kind
            if isinstance(expr.func, ast.Attribute):
                owner = self.kind_of(expr.func.value, env)
                return _PRODUCTS.get((owner, expr.func.attr)) if owner else None
            return _PRODUCTS.get((self.kind_of(expr.func, env), None))
        name = dotted(expr) if expr is not None else None
        return env.get(name) if name else None

    def annotation_kind(self, ann: ast.AST | None) -> Kind | None:
        if ann is None:
            return None
        if isinstance(ann, ast.Constant) and isinstance(ann.value, str):
            try:
                ann = ast.parse(ann.value, mode="eval").body
            except SyntaxError:
                return None
        if isinstance(ann, ast.Subscript) and (dotted(ann.value) or "").rsplit(".", 1)[-1] == "Annotated":
            first = ann.slice.elts[0] if isinstance(ann.slice, ast.Tuple) and ann.slice.elts else ann.slice
            return self.annotation_kind(first)
        if isinstance(ann, ast.BinOp) and isinstance(ann.op, ast.BitOr):  # Session | None
            kinds = {self.annotation_kind(ann.left), self.annotation_kind(ann.right)} - {None}
            return kinds.pop() if len(kinds) == 1 else None
        name = dotted(ann)
        if name in self._aliases:
            return self._aliases[name]
        qual = imported_name(self.mod, ann)
        kind = CONSTRUCTORS.get(qual or "")
        if kind in (Kind.SA_SESSIONMAKER, Kind.SA_ASYNC_SESSIONMAKER, Kind.EVENT_LOOP):
            return None
        if qual in ("boto3.client", "boto3.resource"):
            return None
        return kind

    # --- scopes -------------------------------------------------------------------------------
    def env(self, scope: ast.AST) -> Env:
        """Bindings visible in ``scope``: the module's, the class's ``self.x``, enclosing functions', its own."""
        if scope is self.mod.tree:
            return self.module_env
        if id(scope) in self._envs:
            return self._envs[id(scope)]
        parent = self.mod.parents.get(scope)
        while parent is not None and not isinstance(parent, (*SCOPES, ast.Module)):
            parent = self.mod.parents.get(parent)
        outer = self.env(parent) if parent is not None else self.module_env
        if isinstance(scope, ast.ClassDef):
            env = {**outer, **self._class_env(scope)}
        else:
            env = self._bind(scope, outer)
        self._envs[id(scope)] = env
        return env

    def scopes(self) -> Iterator[ast.AST]:
        yield self.mod.tree
        yield from nodes(self.mod, ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)

    def calls(self) -> list[tuple[ast.Call, ast.AST, Env]]:
        """Every call in the module once, with the scope it runs in and that scope's bindings."""
        if self._calls is None:
            self._calls = [(node, scope, self.env(scope))
                           for scope in self.scopes() for node in own_nodes(scope) if isinstance(node, ast.Call)]
        return self._calls

    # --- what a call does ---------------------------------------------------------------------
    def io_call(self, call: ast.Call, env: Env, loose: bool = False) -> IOCall | None:
        """Classify ``call`` as I/O. ``loose`` also guesses from receiver names (``db.execute``)."""
        written = dotted(call.func) or _attr_chain(call.func)
        qual = imported_name(self.mod, call.func)
        if qual in _MODULE_CALLS:
            what, blocking = _MODULE_CALLS[qual]
            return IOCall(call, written or qual, what, blocking)
        if not isinstance(call.func, ast.Attribute):
            return None
        method = call.func.attr
        kind = self.kind_of(call.func.value, env)
        if kind in HTTP_CLIENTS and method in HTTP_METHODS | {"ws_connect"}:
            return IOCall(call, written or method, "http", kind in _BLOCKING_KINDS)
        if kind in _DB_IO and method in _DB_IO[kind]:
            return IOCall(call, written or method, "db", kind in _BLOCKING_KINDS)
        if kind is Kind.BOTO3 and method not in _BOTO3_LOCAL and not method[:1].isupper():
            return IOCall(call, written or method, "aws", True)
        if loose and kind is None and method in _LOOSE_IO_METHODS:
            receiver = (dotted(call.func.value) or "").rsplit(".", 1)[-1]
            if _IO_RECEIVER.search(receiver) and not _is_mapping_get(call, receiver):
                return IOCall(call, written or method, "http" if method in HTTP_VERBS else "db", False)
        return None

    def client_kind(self, call: ast.Call, env: Env) -> Kind | None:
        """The client kind a method call is made on (``s.get()`` with ``s = requests.Session()``)."""
        if isinstance(call.func, ast.Attribute):
            kind = self.kind_of(call.func.value, env)
            return kind if kind in HTTP_CLIENTS else None
        return None

    # --- building bindings --------------------------------------------------------------------
    def _bind(self, scope: ast.AST, outer: Env) -> Env:
        env = dict(outer)
        seen: dict[str, Kind | None] = {}

        def put(name: str | None, kind: Kind | None) -> None:
            if name:
                # a name bound to two different things in one scope is unknown
                env[name] = seen[name] = kind if seen.get(name, kind) == kind else None

        if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)):
            args = scope.args
            positional = [*args.posonlyargs, *args.args]
            defaults = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
            pairs = [*zip(positional, defaults, strict=True), *zip(args.kwonlyargs, args.kw_defaults, strict=True)]
            for arg, default in pairs:
                kind = self.annotation_kind(arg.annotation) or self._depends_kind(default)
                if kind is None and arg.annotation is not None:
                    kind = self._depends_in_annotation(arg.annotation)
                put(arg.arg, kind)
        for node in own_nodes(scope):
            if isinstance(node, ast.Assign):
                kind = self.kind_of(node.value, env)
                for target in node.targets:
                    put(dotted(target), kind)
            elif isinstance(node, ast.AnnAssign):
                put(dotted(node.target), self.annotation_kind(node.annotation) or self.kind_of(node.value, env))
            elif isinstance(node, (ast.With, ast.AsyncWith)):
                for item in node.items:
                    if item.optional_vars is not None:
                        put(dotted(item.optional_vars), self.kind_of(item.context_expr, env))
            elif isinstance(node, ast.NamedExpr):
                put(dotted(node.target), self.kind_of(node.value, env))
        return env if scope is not self.mod.tree else {k: v for k, v in env.items() if v is not None}

    def _class_env(self, cls: ast.ClassDef) -> Env:
        """``self.x`` bound in any method, and class attributes (read back as ``self.x``)."""
        own: dict[str, set[Kind | None]] = {}
        for node in ast.walk(cls):
            if not isinstance(node, (ast.Assign, ast.AnnAssign)):
                continue
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for t in targets:
                name = dotted(t)
                if name is None or not (name.startswith("self.") or (node in cls.body and "." not in name)):
                    continue
                kind = self.kind_of(node.value, self.module_env) if node.value is not None else None
                if kind is None and isinstance(node, ast.AnnAssign):
                    kind = self.annotation_kind(node.annotation)
                own.setdefault(name if name.startswith("self.") else f"self.{name}", set()).add(kind)
        return _settled(own)

    def _annotation_aliases(self) -> dict[str, Kind | None]:
        """``DbSession = Annotated[Session, Depends(get_db)]`` at module level."""
        aliases: dict[str, Kind | None] = {}
        self._aliases = aliases
        for node in self.mod.tree.body:
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Subscript):
                kind = self.annotation_kind(node.value)
                for t in node.targets:
                    if isinstance(t, ast.Name) and kind is not None:
                        aliases[t.id] = kind
            elif type(node).__name__ == "TypeAlias" and isinstance(getattr(node, "name", None), ast.Name):
                kind = self.annotation_kind(node.value)
                if kind is not None:
                    aliases[node.name.id] = kind
        return aliases

    def _depends_in_annotation(self, ann: ast.AST) -> Kind | None:
        if isinstance(ann, ast.Subscript) and isinstance(ann.slice, ast.Tuple):
            for extra in ann.slice.elts[1:]:
                kind = self._depends_kind(extra)
                if kind is not None:
                    return kind
        return None

    def _depends_kind(self, default: ast.AST | None) -> Kind | None:
        """``Depends(get_db)`` where ``get_db`` yields or returns something we can type."""
        if not (isinstance(default, ast.Call) and default.args):
            return None
        if (self.mod.imports.qualify(default.func) or "").rsplit(".", 1)[-1] not in ("Depends", "Security"):
            return None
        name = (dotted(default.args[0]) or "").rsplit(".", 1)[-1]
        if name not in self._yield_kinds:
            self._yield_kinds[name] = None  # guards against a dependency that depends on itself
            self._yield_kinds[name] = self._yields(self.mod.functions.get(name))
        return self._yield_kinds[name]

    def _yields(self, fn: FunctionNode | None) -> Kind | None:
        if fn is None:
            return None
        kind = self.annotation_kind(fn.returns)
        if kind is not None:
            return kind
        env = self._bind(fn, self.module_env)
        kinds = {self.kind_of(n.value, env) for n in own_nodes(fn)
                 if isinstance(n, (ast.Yield, ast.Return)) and n.value is not None}
        return kinds.pop() if len(kinds) == 1 else None

    def _async_class(self, call: ast.Call) -> bool:
        return any(kw.arg == "class_" and (dotted(kw.value) or "").endswith("AsyncSession") for kw in call.keywords)


def _settled(own: dict[str, set[Kind | None]]) -> Env:
    return {name: (next(iter(kinds)) if len(kinds) == 1 else None) for name, kinds in own.items()}


def _attr_chain(node: ast.AST) -> str | None:
    """``session.query(User).filter`` -> ``session.query().filter`` for messages."""
    parts = []
    while True:
        if isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Call):
            parts.append("()")
            node = node.func
        elif isinstance(node, ast.Name):
            parts.append(node.id)
            break
        else:
            return None
    out = ""
    for part in reversed(parts):
        out += part if part == "()" or not out else f".{part}"
    return out


def _is_mapping_get(call: ast.Call, receiver: str) -> bool:
    """``cache.get("key")`` on something that is plausibly a dict; only HTTP-looking receivers keep .get."""
    if call.func.attr != "get":  # type: ignore[attr-defined]
        return False
    first = call.args[0] if call.args else None
    is_url = isinstance(first, (ast.JoinedStr, ast.Constant)) and "/" in ast.unparse(first)
    return not (is_url and re.search(r"(?i)client|http|session", receiver))


def flow(mod: PythonModule) -> Flow:
    """The module's ``Flow``, built on first use and kept on the module."""
    cached = mod.__dict__.get("_pyflow")
    if cached is None:
        cached = mod.__dict__["_pyflow"] = Flow(mod)
    return cached
