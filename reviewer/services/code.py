"""What a service's Python code tells the service model: routes, their I/O and calls, URL and DSN
literals, ORM tables, circuit-breaker imports. One pass per file, cached in ``CodeIndex``."""

from __future__ import annotations

import ast
import posixpath
from collections.abc import Iterator
from dataclasses import dataclass, field

from reviewer.project import Project
from reviewer.services.url_templates import http_call_url, url_template
from reviewer.sources.fastapi_routes import Route, route_path, routes_of
from reviewer.sources.modules import resolver
from reviewer.sources.python_ast import (
    HTTP_VERBS,
    FunctionNode,
    PythonModule,
    const_str,
    dotted,
    keyword,
    walk_own_body,
)

BREAKER_MODULES = ("pybreaker", "aiobreaker", "circuitbreaker", "purgatory")
_DB_ANY_RECEIVER = {"execute", "executemany", "exec", "fetch", "fetchrow", "fetchval", "fetch_all", "fetch_one",
                    "fetch_val", "fetchall", "fetchone", "scalar", "scalars", "ping", "count_documents", "find_one",
                    "server_info", "list_collection_names", "run_sync"}
_DB_SESSION_ATTRS = {"query", "get", "add", "commit", "refresh", "merge", "delete", "flush", "connect", "begin",
                     "command", "info", "keys", "set", "scalar_one"}
_DB_RECEIVERS = ("db", "session", "sess", "conn", "connection", "database", "engine", "pool", "redis", "cache",
                 "mongo", "cursor", "cur")
_DB_CONNECT = ("asyncpg.connect", "asyncpg.create_pool", "psycopg.connect", "psycopg2.connect", "pymysql.connect",
               "aiomysql.connect", "motor.", "pymongo.MongoClient", "redis.Redis", "redis.from_url")
_DSN_PREFIXES = ("postgres", "pgsql", "mysql", "mariadb", "mongodb", "mssql", "oracle", "cockroachdb",
                 "timescaledb", "jdbc:")
_PROSE_KEYWORDS = {"description", "example", "examples", "help", "title", "summary"}
_MODEL_BASES = {"BaseModel", "SQLModel"}
_CONFIG_CALLS = ("os.getenv", "os.environ.get", "environ.get", "getenv", "os.environ.setdefault", "Field",
                 "pydantic.Field", "config", "decouple.config", "env.str", "env")


@dataclass(frozen=True)
class Literal:
    value: str
    line: int
    config_default: bool = False  # the default of a getenv/Field/settings field: configuration, not code
    name: str | None = None  # the variable or settings field it is assigned to


@dataclass(frozen=True)
class HttpCall:
    template: str  # the URL with "{}" for unknown parts and "${VAR}" for env-provided bases
    line: int
    path: str
    method: str  # get/post/... or "request" when the call does not say


@dataclass
class RouteFacts:
    """A route as the service model sees it: the parsed route, its path behind its own router's
    prefix (None when not a literal), whether it does I/O, and the HTTP calls it makes."""

    route: Route
    path: str | None
    file: str
    does_io: bool = False
    calls: list[HttpCall] = field(default_factory=list)

    @property
    def method(self) -> str:
        return self.route.method

    @property
    def handler(self) -> str:
        return self.route.func.name

    @property
    def line(self) -> int:
        return self.route.line


@dataclass
class FileFacts:
    path: str
    module: PythonModule
    routes: list[RouteFacts] = field(default_factory=list)
    url_literals: list[Literal] = field(default_factory=list)
    dsn_literals: list[Literal] = field(default_factory=list)
    tables: list[tuple[str, int]] = field(default_factory=list)
    models: list[str] = field(default_factory=list)
    breaker: bool = False
    calls: list[HttpCall] = field(default_factory=list)  # every outbound HTTP call, in routes or not
    settings_defaults: dict[str, str] = field(default_factory=dict)  # ORDERS_URL -> a settings class default


class CodeIndex:
    """File facts on demand, plus module and function lookup across the tree."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self._facts: dict[str, FileFacts | None] = {}
        self.py_paths = set(project.python_paths())
        self.py_dirs: set[str] = set()
        for p in self.py_paths:
            d = posixpath.dirname(p)
            while d and d not in self.py_dirs:
                self.py_dirs.add(d)
                d = posixpath.dirname(d)

    def get(self, path: str) -> FileFacts | None:
        if path not in self._facts:
            f = self.project.get(path)
            mod = f.python if f is not None else None
            self._facts[path] = _analyse(self, path, mod) if mod is not None else None
        return self._facts[path]

    def module_file(self, dotted_name: str, base: str) -> tuple[str, str] | None:
        """(file or package dir, remaining attribute) for the longest prefix of ``dotted_name``
        that exists under ``base``; None when even the first part does not."""
        parts = dotted_name.split(".")
        for n in range(len(parts), 0, -1):
            rel = posixpath.join(base, *parts[:n]) if base else posixpath.join(*parts[:n])
            rest = ".".join(parts[n:])
            if rel + ".py" in self.py_paths:
                return rel + ".py", rest
            if rel + "/__init__.py" in self.py_paths:
                return rel + "/__init__.py", rest
            if rel in self.py_dirs:
                return rel + "/", rest
        return None


def _is_model_class(node: ast.ClassDef, known: set[str]) -> bool:
    for b in node.bases:
        name = (dotted(b) or "").rsplit(".", 1)[-1]
        if name in _MODEL_BASES or name in known:
            return True
    return False


def _analyse(index: CodeIndex, path: str, mod: PythonModule) -> FileFacts:
    facts = FileFacts(path, mod)
    facts.breaker = any(mod.imports.imports_module(m) for m in BREAKER_MODULES)
    config_nodes: set[int] = set()  # configuration defaults, docstrings and prose: not URLs the code calls
    urls: list[ast.Constant | ast.JoinedStr] = []
    known_models: set[str] = set()
    dsns: list[ast.Constant] = []
    prose: set[int] = set()  # docstrings, descriptions and examples: a DSN there is not one the code opens
    for node in mod.nodes:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if node.value.startswith(("http://", "https://")):
                urls.append(node)
            elif "://" in node.value and node.value[:12].lower().startswith(_DSN_PREFIXES):
                dsns.append(node)
        elif isinstance(node, ast.JoinedStr) and node.values:
            head = const_str(node.values[0])
            if head and head.startswith(("http://", "https://")):
                urls.append(node)
        elif isinstance(node, ast.Call):
            _call_facts(facts, mod, node)
            if _is_config_call(mod, node):
                config_nodes.update(id(n) for a in [*node.args, *(k.value for k in node.keywords)] for n in ast.walk(a))
            prose.update(id(n) for k in node.keywords if k.arg in _PROSE_KEYWORDS for n in ast.walk(k.value))
        elif isinstance(node, ast.Expr):
            config_nodes.add(id(node.value))
            prose.add(id(node.value))
        elif isinstance(node, ast.ClassDef):
            _class_facts(facts, node, known_models)
            if any("Settings" in (dotted(b) or "") or "Config" in (dotted(b) or "") for b in node.bases):
                for stmt in node.body:
                    if isinstance(stmt, (ast.AnnAssign, ast.Assign)) and stmt.value is not None:
                        config_nodes.update(id(n) for n in ast.walk(stmt.value))
                        _setting_default(facts, stmt)
    for node in urls:
        value = node.value if isinstance(node, ast.Constant) else url_template(mod, node, {})
        facts.url_literals.append(Literal(value, node.lineno, id(node) in config_nodes))  # type: ignore[arg-type]
    if dsns:
        names: dict[int, str] = {}  # literal -> the name it is assigned to (CATALOG_DSN = "...", Field("..."))
        for node in mod.nodes:
            if isinstance(node, (ast.Assign, ast.AnnAssign)):
                _assigned_names(node, names)
        facts.dsn_literals = [Literal(n.value, n.lineno, id(n) in config_nodes, names.get(id(n)))
                              for n in dsns if id(n) not in prose]
    for r in routes_of(mod):
        rf = RouteFacts(r, route_path(mod, r), path)
        rf.does_io = function_does_io(index, mod, path, r.func, depth=2)
        rf.calls = list(_handler_calls(facts, r.func))
        facts.routes.append(rf)
    return facts


def _call_facts(facts: FileFacts, mod: PythonModule, node: ast.Call) -> None:
    qual = mod.imports.qualify(node.func) or ""
    last = qual.rsplit(".", 1)[-1]
    if qual.startswith("sqlalchemy") and last == "Table" and node.args:
        name = const_str(node.args[0])
        if name:
            facts.tables.append((name, node.lineno))
        return
    url = http_call_url(mod, node)
    if url is not None:
        attr = node.func.attr if isinstance(node.func, ast.Attribute) else "request"
        facts.calls.append(HttpCall(url, node.lineno, facts.path, attr if attr in HTTP_VERBS else "request"))


def _assigned_names(node: ast.Assign | ast.AnnAssign, names: dict[int, str]) -> None:
    target = node.target if isinstance(node, ast.AnnAssign) else (node.targets[0] if len(node.targets) == 1 else None)
    value = node.value
    if not isinstance(target, ast.Name) or value is None:
        return
    for v in [value] if not isinstance(value, ast.Call) else [*value.args, *(k.value for k in value.keywords)]:
        names[id(v)] = target.id


def _setting_default(facts: FileFacts, stmt: ast.AnnAssign | ast.Assign) -> None:
    """``orders_url: str = "http://orders:8000"`` (or ``Field("...")``) in a settings class: the value
    ``settings.orders_url`` has when the environment does not set ``ORDERS_URL``."""
    target = stmt.target if isinstance(stmt, ast.AnnAssign) else (stmt.targets[0] if len(stmt.targets) == 1 else None)
    value = stmt.value
    if isinstance(value, ast.Call) and (dotted(value.func) or "").endswith("Field"):
        kw = keyword(value, "default")
        value = kw.value if kw is not None else (value.args[0] if value.args else None)
    text = const_str(value) if value is not None else None
    if isinstance(target, ast.Name) and text:
        facts.settings_defaults.setdefault(target.id.upper(), text)


def _class_facts(facts: FileFacts, node: ast.ClassDef, known_models: set[str]) -> None:
    table_kw = keyword(node, "table") if hasattr(node, "keywords") else None
    explicit = None
    for stmt in node.body:
        if isinstance(stmt, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__tablename__"
                                                for t in stmt.targets):
            explicit = const_str(stmt.value)
            if explicit:
                facts.tables.append((explicit, stmt.lineno))
    if table_kw is not None and getattr(table_kw.value, "value", None) is True and explicit is None:
        facts.tables.append((node.name.lower(), node.lineno))
    if _is_model_class(node, known_models):
        known_models.add(node.name)
        facts.models.append(node.name)


def _is_config_call(mod: PythonModule, node: ast.Call) -> bool:
    """getenv/environ.get/Field/decouple config: their literal arguments are configuration defaults."""
    qual = mod.imports.qualify(node.func) or ""
    return qual in _CONFIG_CALLS or qual.endswith((".getenv", "environ.get", ".Field"))


def _handler_calls(facts: FileFacts, func: FunctionNode) -> Iterator[HttpCall]:
    for node in walk_own_body(func):
        if isinstance(node, ast.Call):
            url = http_call_url(facts.module, node)
            if url is not None:
                attr = node.func.attr if isinstance(node.func, ast.Attribute) else "request"
                yield HttpCall(url, node.lineno, facts.path, attr if attr in HTTP_VERBS else "request")


def _is_db_call(mod: PythonModule, call: ast.Call) -> bool:
    qual = mod.imports.qualify(call.func) or ""
    if qual.startswith(_DB_CONNECT):
        return True
    if not isinstance(call.func, ast.Attribute):
        return False
    attr = call.func.attr
    recv = (dotted(call.func.value) or "").rsplit(".", 1)[-1].lower()
    if isinstance(call.func.value, ast.Call) and isinstance(call.func.value.func, ast.Attribute):
        recv = call.func.value.func.attr.lower()  # session.execute(...).scalars()
    if attr in _DB_ANY_RECEIVER and recv not in ("re", "pattern", "regex"):
        return True
    return attr in _DB_SESSION_ATTRS and any(recv == r or recv.endswith("_" + r) or recv.startswith(r + "_")
                                              for r in _DB_RECEIVERS)


def function_does_io(index: CodeIndex, mod: PythonModule, path: str, func: FunctionNode, depth: int) -> bool:
    """Whether ``func`` (or what it calls, ``depth`` levels down, in this file or imported from
    another file of the project, or its Depends targets) does database or outbound HTTP I/O."""
    callees: list[tuple[ast.AST, ast.AST | None]] = []  # (callee expression, scope it is named in)
    for node in walk_own_body(func):
        if isinstance(node, ast.Call):
            if _is_db_call(mod, node) or http_call_url(mod, node) is not None:
                return True
            callees.append((node.func, func))
    args = func.args
    for default in [*args.defaults, *args.kw_defaults]:
        if isinstance(default, ast.Call) and (dotted(default.func) or "").endswith(("Depends", "Security")) \
                and default.args:
            callees.append((default.args[0], None))
    for ann in [a.annotation for a in [*args.args, *args.kwonlyargs] if a.annotation is not None]:
        for node in ast.walk(ann):
            if isinstance(node, ast.Call) and (dotted(node.func) or "").endswith("Depends") and node.args:
                callees.append((node.args[0], None))
    if depth <= 0:
        return False
    for target, scope in callees:
        name = dotted(target)
        if not name:
            continue
        local = mod.functions.get(name) if "." not in name else None
        if local is not None and local is not func:
            if function_does_io(index, mod, path, local, depth - 1):
                return True
            continue
        found = resolver(index.project).function(path, mod, target, scope)
        if found is not None and function_does_io(index, found.module, found.path, found.func, depth - 1):
            return True
    return False
