"""SQLAlchemy set-up as the data-layer rules read it: engines and session factories built on the
request path, and session objects created once at import and shared by every request."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from reviewer.sources.fastapi_routes import handler_functions, has_fastapi_app, routes_of
from reviewer.sources.python_ast import FunctionNode, PythonModule, dotted, imported_name, walk_own_body

ENGINE_FACTORIES = frozenset({"create_engine", "create_async_engine", "sessionmaker", "async_sessionmaker"})
SESSION_CLASSES = frozenset({"sqlalchemy.orm.Session", "sqlalchemy.orm.session.Session",
                             "sqlalchemy.ext.asyncio.AsyncSession", "sqlalchemy.ext.asyncio.session.AsyncSession",
                             "sqlmodel.Session", "sqlmodel.ext.asyncio.session.AsyncSession"})
_LIBRARIES = ("sqlalchemy", "sqlmodel")  # SQLModel re-exports SQLAlchemy's engine and session
_CONTEXT_MANAGERS = ("contextmanager", "asynccontextmanager")
_MEMOISERS = ("lru_cache", "cache", "cached")  # a cached factory builds its engine once per process
_SHARED_MODULES = {"db", "database", "session", "sessions", "deps", "dependencies"}


def _sqlalchemy_name(mod: PythonModule, func: ast.AST) -> str | None:
    name = imported_name(mod, func)
    return name if name is not None and name.startswith(_LIBRARIES) else None


def _factory_name(mod: PythonModule, call: ast.Call) -> str | None:
    name = _sqlalchemy_name(mod, call.func)
    last = name.rsplit(".", 1)[-1] if name else None
    return last if last in ENGINE_FACTORIES else None


def _yields(fn: FunctionNode) -> bool:
    return any(isinstance(n, ast.Yield | ast.YieldFrom) for n in walk_own_body(fn))


def _is_context_manager(fn: FunctionNode) -> bool:
    return any((dotted(d) or "").rsplit(".", 1)[-1] in _CONTEXT_MANAGERS for d in fn.decorator_list)


def _dependency_shaped(fn: FunctionNode) -> bool:
    """``def get_db(): ... yield session``: a FastAPI yield dependency, even when used from another file."""
    name = fn.name.lower()
    return (name.startswith("get_") and ("db" in name or "session" in name) and _yields(fn)
            and not _is_context_manager(fn))


def _memoised(fn: FunctionNode) -> bool:
    for dec in fn.decorator_list:
        target = dec.func if isinstance(dec, ast.Call) else dec
        if (dotted(target) or "").rsplit(".", 1)[-1] in _MEMOISERS:
            return True
    return False


def request_path_functions(mod: PythonModule) -> list[FunctionNode]:
    """Route handlers, dependencies and ``get_db``-shaped generators: code run on each request."""
    seen = {id(fn): fn for fn in handler_functions(mod)}
    for fn in mod.functions.values():
        if _dependency_shaped(fn):
            seen.setdefault(id(fn), fn)
    return [fn for fn in seen.values() if not _memoised(fn)]


def per_request_factories(mod: PythonModule) -> Iterator[tuple[FunctionNode, ast.Call, str]]:
    """(function, call, factory) for each engine or sessionmaker built on the request path."""
    for fn in request_path_functions(mod):
        for node in walk_own_body(fn):
            if isinstance(node, ast.Call) and (name := _factory_name(mod, node)):
                yield fn, node, name


def _module_factories(mod: PythonModule) -> set[str]:
    """Module-level names bound to a ``sessionmaker``/``async_sessionmaker``."""
    out = set()
    for stmt in mod.tree.body:
        if (isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Call)
                and _factory_name(mod, stmt.value) in ("sessionmaker", "async_sessionmaker")):
            out |= {t.id for t in stmt.targets if isinstance(t, ast.Name)}
    return out


def serves_requests(mod: PythonModule) -> bool:
    """Routes live here, or this is the module a service's handlers take their session from."""
    stem = mod.path.rsplit("/", 1)[-1].removesuffix(".py")
    return bool(routes_of(mod)) or has_fastapi_app(mod) or stem in _SHARED_MODULES


def module_level_sessions(mod: PythonModule) -> Iterator[tuple[str, ast.Call, str]]:
    """(variable, call, what) for ``db = SessionLocal()`` / ``session = Session(engine)`` at import."""
    factories = _module_factories(mod)
    for stmt in mod.tree.body:
        value = stmt.value if isinstance(stmt, ast.Assign | ast.AnnAssign) else None
        if not isinstance(value, ast.Call):
            continue
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]  # type: ignore[union-attr]
        names = [t.id for t in targets if isinstance(t, ast.Name)]
        callee = dotted(value.func) or ""
        qualified = _sqlalchemy_name(mod, value.func) or ""
        if names and (qualified in SESSION_CLASSES or callee in factories):
            yield names[0], value, callee
