"""I/O reached through helpers in other files of the project (``from .clients import fetch_stock``).

``reach(project, Resolved(path, mod, fn), depth)`` is ``function_io`` across modules: the
first I/O call that ``fn`` makes itself or through the helpers it calls, local or imported, ``depth``
levels down. Only what ``reviewer.sources.modules`` resolves with certainty is followed. Calls
handed to a worker thread (``to_thread``, ``run_in_threadpool``) are ``offloaded``: not on the loop.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass

from reviewer.project import Project
from reviewer.sources.modules import Resolved, resolver
from reviewer.sources.python_ast import FunctionNode, PythonModule, dotted, own_nodes
from reviewer.sources.python_flow import Env, IOCall, flow

# Decorators that may run the function elsewhere (a thread, a worker, the loop): its calls are not ours.
# Wrappers that run a callable in a worker thread: what is passed to them is not called on the loop.
THREAD_OFFLOAD = frozenset({"starlette.concurrency.run_in_threadpool", "fastapi.concurrency.run_in_threadpool",
                            "asyncio.to_thread", "anyio.to_thread.run_sync", "run_in_threadpool",
                            "asgiref.sync.sync_to_async", "sync_to_async"})

_DEFERRING_DECORATOR = re.compile(r"(?i)async|thread|executor|task|background|defer|actor|job|remote|worker|celery")


@dataclass(frozen=True)
class Trail:
    """How a call reaches I/O: the helpers passed through (file, call) and the I/O call at the end."""

    steps: tuple[tuple[str, ast.Call], ...]
    io: IOCall
    path: str  # file of ``io``

    @property
    def call(self) -> ast.Call:
        """The call in the function the search started from."""
        return self.steps[0][1] if self.steps else self.io.node

    def where(self) -> str:
        """```requests.get()` at app/clients.py:12 (via `_get()`)``."""
        via = [f"`{_name(call)}()`" for _, call in self.steps[1:]]
        tail = f" (via {', '.join(via)})" if via else ""
        return f"`{self.io.name}()` at {self.path}:{self.io.node.lineno}{tail}"


def _name(call: ast.Call) -> str:
    return dotted(call.func) or "?"


def imported_function(project: Project, path: str, mod: PythonModule, fn: FunctionNode,
                      call: ast.Call) -> Resolved | None:
    """The function of another project file that ``call`` (made in ``fn``) calls."""
    if not isinstance(call.func, (ast.Name, ast.Attribute)):
        return None
    found = resolver(project).function(path, mod, call.func, fn)
    return found if found is not None and found.path != path else None


def callee(project: Project, path: str, mod: PythonModule, fn: FunctionNode, call: ast.Call) -> Resolved | None:
    """The project function ``call`` calls: a module-level function of this file or an imported one."""
    if isinstance(call.func, ast.Name):
        local = resolver(project).binding(mod, fn, call.func.id)
        if isinstance(local, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return Resolved(path, mod, local) if local is not fn else None
    return imported_function(project, path, mod, fn, call)


def runs_inline_sync(target: Resolved) -> bool:
    """A plain ``def`` whose body runs when it is called: not a generator (Starlette iterates sync
    generators in a thread pool) and not decorated with something that may run it elsewhere."""
    func = target.func
    if isinstance(func, ast.AsyncFunctionDef):
        return False
    if any(isinstance(n, (ast.Yield, ast.YieldFrom)) for n in own_nodes(func)):
        return False
    return not any(_DEFERRING_DECORATOR.search(dotted(d.func if isinstance(d, ast.Call) else d) or "?")
                   for d in func.decorator_list)


def blocking_helper(project: Project, path: str, mod: PythonModule, fn: FunctionNode,
                    call: ast.Call) -> tuple[Resolved, Trail] | None:
    """A plain-``def`` project helper (in this file or imported) called right here (not awaited, not
    offloaded) whose body makes a blocking call, with where that call is."""
    target = callee(project, path, mod, fn, call)
    if target is None or not runs_inline_sync(target) or mod.is_awaited(call) or offloaded(mod, call):
        return None
    trail = reach(project, target, depth=1, blocking=True, loose=False)
    return (target, Trail(((path, call), *trail.steps), trail.io, trail.path)) if trail is not None else None


def reach(project: Project, target: Resolved, depth: int, blocking: bool = False, loose: bool = True,
          _seen: frozenset[int] = frozenset()) -> Trail | None:
    """The first I/O ``target.func`` makes, itself or through project helpers ``depth`` levels down.

    ``blocking``: only synchronous I/O that runs right there (not offloaded to a thread), and only
    through helpers that run inline (plain ``def``, not generators)."""
    mod, fn = target.module, target.func
    seen = _seen | {id(fn)}
    fl = flow(mod)
    for call, env in handler_calls(mod, fn):
        io = fl.io_call(call, env, loose=loose)
        if io is not None:
            if not blocking or (io.blocking and not mod.is_awaited(call) and not offloaded(mod, call)):
                return Trail((), io, target.path)
            continue
        if depth <= 0:
            continue
        inner = callee(project, target.path, mod, fn, call)
        if inner is None or id(inner.func) in seen:
            continue
        if blocking and (not runs_inline_sync(inner) or offloaded(mod, call)):
            continue
        trail = reach(project, inner, depth - 1, blocking, loose, seen)
        if trail is not None:
            return Trail(((target.path, call), *trail.steps), trail.io, trail.path)
    return None


def offloaded(mod: PythonModule, node: ast.AST) -> bool:
    """True when ``node`` only builds the callable handed to run_in_threadpool / to_thread /
    run_in_executor (``to_thread(db.query(User).all)``). A call passed directly as an argument
    (``to_thread(requests.get(url))``) still runs on the event loop, so it is not offloaded."""
    child, parent = node, mod.parents.get(node)
    while parent is not None and not isinstance(parent, (ast.stmt, ast.Lambda)):
        if isinstance(parent, ast.Call) and child is not parent.func:
            qual = mod.imports.qualify(parent.func) or ""
            if qual in THREAD_OFFLOAD or qual.endswith(".run_in_executor"):
                return child is not node
        child, parent = parent, mod.parents.get(parent)
    return False


def handler_calls(mod: PythonModule, fn: FunctionNode) -> Iterator[tuple[ast.Call, Env]]:
    """Calls made by ``fn``'s own body (not nested defs), with its bindings."""
    fl = flow(mod)
    env = fl.env(fn)
    for node in own_nodes(fn):
        if isinstance(node, ast.Call):
            yield node, env


def function_io(mod: PythonModule, fn: FunctionNode, depth: int = 2, loose: bool = True) -> list[IOCall]:
    """I/O calls made by ``fn``, following calls to functions of the same module ``depth`` levels down.

    A call into a local helper that does I/O is reported as that helper call (the line in ``fn``)."""
    fl = flow(mod)
    out: list[IOCall] = []
    for call, env in handler_calls(mod, fn):
        io = fl.io_call(call, env, loose=loose)
        if io is not None:
            out.append(io)
            continue
        if depth > 0 and isinstance(call.func, ast.Name) and call.func.id in mod.functions:
            callee = mod.functions[call.func.id]
            if callee is not fn:
                inner = function_io(mod, callee, depth - 1, loose)
                if inner:
                    out.append(IOCall(call, f"{call.func.id}() -> {inner[0].name}", inner[0].what,
                                      inner[0].blocking))
    return out
