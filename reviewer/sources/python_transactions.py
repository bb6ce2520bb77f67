"""Database sessions that outlive a failure, as the data-layer rules read them.

A *long-lived session* is a SQLAlchemy session or connection (or a psycopg connection) bound
once and then used by every turn of a loop: ``session = SessionLocal()`` before ``while True:``,
``with SessionLocal() as session:`` around the loop, or a module-level session. A *swallowing
handler* is an ``except`` in that loop, around code that uses the session, which catches database
errors (bare, ``Exception``, SQLAlchemy's and the drivers' errors), and neither rolls the session
back nor leaves the loop (``raise``, ``return``, ``break``). After it, the session's transaction
is dead: every later turn fails (``PendingRollbackError``, ``current transaction is aborted``).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass

from reviewer.sources.python_ast import FunctionNode, PythonModule, dotted, walk_own_body
from reviewer.sources.python_data import module_level_sessions

_SESSION_FACTORY = re.compile(r"(?i)^(\w*session\w*|Session)$")
_NOT_DB_SESSION = re.compile(r"(?i)(context|ctx|client|http|scrape|browser|chat|user|login|auth|web|cookie|ssh|spark)")
_CONNECT = frozenset({"psycopg2.connect", "psycopg.connect", "pymysql.connect", "MySQLdb.connect"})
_USES = frozenset({"commit", "flush", "execute", "add", "add_all", "query", "scalars", "scalar", "get", "merge",
                   "delete", "refresh", "exec", "cursor"})
_BROAD = frozenset({"Exception", "BaseException", "SQLAlchemyError", "DBAPIError", "DatabaseError",
                    "IntegrityError", "OperationalError", "DataError", "StatementError", "InterfaceError",
                    "Error", "PendingRollbackError", "InternalError", "ProgrammingError"})
_NOT_DATABASE = ("requests", "aiohttp", "httpx", "boto3", "botocore", "aioboto3", "urllib3", "niquests", "grpc")
_LOOPS = (ast.While, ast.For, ast.AsyncFor)


@dataclass(frozen=True)
class Swallowed:
    """An ``except`` in a loop that goes on with ``session`` after a failure, without a rollback."""

    function: FunctionNode | None
    loop: ast.AST
    handler: ast.ExceptHandler
    session: str
    awaited: bool  # the session's calls are awaited (AsyncSession): the fix awaits the rollback


def _opens_session(mod: PythonModule, call: ast.AST, managed: bool = False) -> bool:
    """``SessionLocal()``, ``Session(engine)``, ``engine.connect()``, ``psycopg2.connect(dsn)``; and,
    entered by ``with`` (``managed``), a context-manager helper such as ``get_session_with_tenant()``."""
    if not isinstance(call, ast.Call):
        return False
    name = dotted(call.func) or ""
    qualified = mod.imports.qualify(call.func) or name
    last = name.rsplit(".", 1)[-1]
    if qualified in _CONNECT or (last in ("connect", "begin") and "engine" in name.lower()):
        return True
    if qualified.startswith(_NOT_DATABASE) or _NOT_DB_SESSION.search(last):
        return False  # requests.Session(), aiohttp.ClientSession(), boto3.session.Session()
    if last.startswith("get_") and managed:
        last = last.removeprefix("get_")
    return bool(_SESSION_FACTORY.match(last)) and not last.startswith(("get_", "close", "set_"))


def _bound_sessions(mod: PythonModule, fn: ast.AST, loop: ast.AST) -> set[str]:
    """Session names bound in ``fn`` outside ``loop`` (assigned or ``with ... as``), before it runs."""
    inside = {id(n) for n in ast.walk(loop)}
    names: set[str] = set()
    for node in walk_own_body(fn):
        if id(node) in inside or getattr(node, "lineno", loop.lineno) > loop.lineno:  # type: ignore[attr-defined]
            continue
        if isinstance(node, ast.Assign) and _opens_session(mod, node.value):
            names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
        elif isinstance(node, ast.With | ast.AsyncWith):
            for item in node.items:
                if isinstance(item.optional_vars, ast.Name) and _opens_session(mod, item.context_expr, managed=True):
                    names.add(item.optional_vars.id)
    return names


def _rebound(loop: ast.AST, session: str) -> bool:
    """The loop binds ``session`` afresh (each turn, or in its handler): no stale session survives."""
    for node in ast.walk(loop):
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == session for t in node.targets):
            return True
        if isinstance(node, ast.With | ast.AsyncWith) and any(
                isinstance(i.optional_vars, ast.Name) and i.optional_vars.id == session for i in node.items):
            return True
    return False


def _helper_uses(mod: PythonModule, call: ast.Call, session: str) -> bool:
    """``call`` passes ``session`` to a function of this module that runs statements on it."""
    fn = mod.functions.get((dotted(call.func) or "").rsplit(".", 1)[-1])
    if fn is None:
        return False
    params = [a.arg for a in [*fn.args.posonlyargs, *fn.args.args, *fn.args.kwonlyargs]]
    if params[:1] in (["self"], ["cls"]):
        params = params[1:]
    names = {params[i] for i, a in enumerate(call.args) if dotted(a) == session and i < len(params)}
    names |= {k.arg for k in call.keywords if k.arg and dotted(k.value) == session}
    return any(_uses(fn.body, name) for name in names)


def _uses(nodes: list[ast.stmt], session: str, mod: PythonModule | None = None) -> ast.Call | None:
    for stmt in nodes:
        for node in ast.walk(stmt):
            if not isinstance(node, ast.Call):
                continue
            if isinstance(node.func, ast.Attribute) and node.func.attr in _USES and dotted(node.func.value) == session:
                return node
            if mod is not None and _helper_uses(mod, node, session):
                return node  # handed to a helper of this module that works with it: ``handle(body, session)``
    return None


def _scoped_transaction(nodes: list[ast.stmt], session: str) -> bool:
    """``with session.begin():`` / ``begin_nested()`` in the try: the block rolls back by itself."""
    for stmt in nodes:
        for node in ast.walk(stmt):
            if isinstance(node, ast.With | ast.AsyncWith):
                for item in node.items:
                    call = item.context_expr
                    if (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
                            and call.func.attr in ("begin", "begin_nested", "transaction")
                            and dotted(call.func.value) == session):
                        return True
    return False


def _catches_db_errors(handler: ast.ExceptHandler) -> bool:
    if handler.type is None:
        return True
    types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any((dotted(t) or "").rsplit(".", 1)[-1] in _BROAD for t in types)


def _recovers(handler: ast.ExceptHandler, session: str) -> bool:
    """Rolls the session back, closes it, or leaves the loop."""
    for node in ast.walk(ast.Module(body=handler.body, type_ignores=[])):
        if isinstance(node, ast.Raise | ast.Return | ast.Break):
            return True
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("rollback", "close", "invalidate", "expunge_all")
                and dotted(node.func.value) == session):
            return True
        if isinstance(node, ast.Call) and (dotted(node.func) or "").rsplit(".", 1)[-1] in ("exit", "_exit"):
            return True
    return False


def _tries(loop: ast.AST) -> Iterator[ast.Try]:
    for node in walk_own_body(ast.Module(body=[loop], type_ignores=[])):  # type: ignore[list-item]
        if isinstance(node, ast.Try | ast.TryStar):
            yield node  # type: ignore[misc]


def _loops(scope: ast.AST) -> Iterator[ast.AST]:
    for node in walk_own_body(scope):
        if isinstance(node, _LOOPS):
            yield node


def _outermost(loops: list[ast.AST]) -> list[ast.AST]:
    inner = {id(n) for loop in loops for n in ast.walk(loop) if n is not loop and isinstance(n, _LOOPS)}
    return [loop for loop in loops if id(loop) not in inner]


def swallowed_failures(mod: PythonModule) -> Iterator[Swallowed]:
    """Each swallowing handler of a loop that reuses a long-lived session (see the module doc)."""
    shared = {name for name, _call, _callee in module_level_sessions(mod)}
    scopes: list[ast.AST] = [n for n in mod.nodes if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
    seen: set[int] = set()
    for fn in scopes:
        for loop in _outermost(list(_loops(fn))):
            sessions = {s for s in _bound_sessions(mod, fn, loop) | shared if not _rebound(loop, s)}
            if not sessions:
                continue
            for t in _tries(loop):
                for session in sorted(sessions):
                    use = _uses(t.body, session, mod)
                    if use is None or _scoped_transaction(t.body, session):
                        continue
                    for h in t.handlers:
                        if id(h) not in seen and _catches_db_errors(h) and not _recovers(h, session):
                            seen.add(id(h))
                            yield Swallowed(fn, loop, h, session, mod.is_awaited(use))  # type: ignore[arg-type]
