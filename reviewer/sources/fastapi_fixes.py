"""Fixes for findings on FastAPI code, in the finding's own names: the handler, its route, the
client or session constructor it calls, the event handler it registers. One suggestion here:
``time.sleep(x)`` -> ``await asyncio.sleep(x)`` where the module already imports asyncio."""

from __future__ import annotations

import ast
import json
import re

from reviewer.project import SourceFile
from reviewer.sources.edits import Remedy, dedent_block, remedy
from reviewer.sources.fastapi_routes import Route, fastapi_vars
from reviewer.sources.python_ast import FunctionNode, PythonModule, const_str, dotted, imported_name, keyword
from reviewer.sources.python_fixes import replace_node
from reviewer.sources.python_reach import Trail

_VERB = re.compile(r"^(get|list|read|fetch|create|update|patch|delete|post|put|find|show)_")
# What an ``async def`` handler should use instead of a blocking call of each kind (said in the
# finding's title, and what the fix builds on).
ALTERNATIVE = {
    "sleep": "`await asyncio.sleep(...)`",
    "http": "a shared `httpx.AsyncClient` (`await client.get(...)`)",
    "db": "an async driver (`AsyncSession` with `await db.execute(...)`, asyncpg)",
    "process": "`await asyncio.create_subprocess_exec(...)`",
    "aws": "`aioboto3` or `await asyncio.to_thread(...)`",
}


def _local(mod: PythonModule, qualified: str) -> str | None:
    """How the module spells ``asyncio.sleep``: an imported name, or the imported module plus the attribute."""
    module, _, attr = qualified.rpartition(".")
    name = next((n for n, q in mod.imports.names.items() if q == qualified), None)
    if name is not None:
        return name
    owner = next((n for n, q in mod.imports.names.items() if q == module), None)
    return f"{owner}.{attr}" if owner is not None else None


def _decorator(route: Route, extra: str = "") -> str:
    path = json.dumps(route.path) if route.path is not None else '"..."'
    return f"@{route.router}.{route.method}({path}{extra})"


def helper_detail(fn: FunctionNode, call: ast.Call, trail: Trail) -> str:
    """fastapi-blocking-call-in-async, through a helper: what it calls, and what to use there instead."""
    name = dotted(call.func)
    return (f"`{name}()` blocks the event loop in `async def {fn.name}`: it calls {trail.where()}; use "
            f"{ALTERNATIVE[trail.io.what]} there, `await run_in_threadpool({name}, ...)`, or a plain `def` route")


def async_sleep(f: SourceFile, call: ast.Call, fn: FunctionNode) -> Remedy:
    """fastapi-blocking-call-in-async, for ``time.sleep``: ``await asyncio.sleep`` with the same arguments."""
    mod = f.python
    sleep = _local(mod, "asyncio.sleep") if mod is not None else None
    args = ", ".join(ast.unparse(a) for a in [*call.args, *call.keywords])
    fix = f"await {sleep or 'asyncio.sleep'}({args})  # in `async def {fn.name}`"
    end = call.func.end_col_offset or 0
    line = f.line_text(call.lineno)
    if sleep is None or call.end_lineno != call.lineno or call.func.end_lineno != call.lineno:
        return remedy(fix)
    rest = line.encode()[end: call.end_col_offset or 0].decode(errors="replace")  # "(0.5)" as written
    edit = replace_node(f.lines, call, f"await {sleep}{rest}")
    return remedy(fix, edit[0], line=call.lineno) if edit is not None else remedy(fix)


def offload(f: SourceFile, call: ast.Call, fn: FunctionNode) -> Remedy:
    """fastapi-blocking-call-in-async: the real call moved to the thread pool, or the handler made sync."""
    mod = f.python
    if mod is not None and imported_name(mod, call.func) == "time.sleep":
        return async_sleep(f, call, fn)
    moved = ast.Call(func=ast.Name("run_in_threadpool"), args=[call.func, *call.args], keywords=call.keywords)
    parent = mod.parents.get(call) if mod is not None else None
    lead = "return " if isinstance(parent, ast.Return) else f"{ast.unparse(parent.targets[0])} = " if isinstance(
        parent, ast.Assign) and len(parent.targets) == 1 else ""
    return remedy(f"# in `async def {fn.name}`: run the blocking call in the thread pool\n"
                  f"from fastapi.concurrency import run_in_threadpool\n"
                  f"{lead}await {ast.unparse(moved)}\n"
                  f"# or declare `def {fn.name}(...)`: FastAPI runs plain `def` handlers in its thread pool")


_OPEN = {"httpx.AsyncClient": "async with httpx.AsyncClient(timeout=5.0) as client:",
         "httpx.Client": "with httpx.Client(timeout=5.0) as client:",
         "aiohttp.ClientSession":
             "async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as client:",
         "requests.Session": "with requests.Session() as client:"}


def shared_client(name: str, fn: FunctionNode) -> Remedy:
    """fastapi-http-client-per-request: one client of the same kind for the process, opened in the lifespan."""
    opened = _OPEN.get(name, _OPEN.get(name.rsplit(".", 1)[0] + ".Session", f"with {name}() as client:"))
    return remedy("\n".join([
        "@asynccontextmanager", "async def lifespan(app: FastAPI):", f"    {opened}  # one pool for the process",
        "        app.state.http = client", "        yield", "", "app = FastAPI(lifespan=lifespan)", "",
        f"# in `{fn.name}`: use `request.app.state.http` instead of a new `{name}()`"]))


def injected_session(name: str, route: Route, is_async: bool) -> Remedy:
    """fastapi-session-not-injected: a yield dependency around the same factory, injected into the route."""
    is_async = is_async or name.rsplit(".", 1)[-1].lower().startswith("async")
    a, session = ("async ", "AsyncSession") if is_async else ("", "Session")
    return remedy("\n".join([
        f"{a}def get_db() -> {'AsyncIterator' if is_async else 'Iterator'}[{session}]:",
        f"    {a}with {name}() as db:", "        yield db", "", _decorator(route),
        f"{'async ' if route.is_async else ''}def {route.func.name}(..., db: {session} = Depends(get_db)):"]))


def lifespan(mod: PythonModule, node: ast.Call, owner: str, event: str) -> Remedy:
    """fastapi-on-event-deprecated: the registered handler called from a lifespan, before or after ``yield``."""
    parent = mod.parents.get(node)
    handler: ast.AST | None = parent if isinstance(parent, (ast.FunctionDef, ast.AsyncFunctionDef)) else (
        node.args[1] if len(node.args) >= 2 else None)
    name = handler.name if isinstance(handler, (ast.FunctionDef, ast.AsyncFunctionDef)) else dotted(handler) \
        if handler is not None else None
    if name is None:
        return {}
    awaited = "await " if isinstance(handler, ast.AsyncFunctionDef) or handler is None else ""
    call = f"    {awaited}{name}()  # was {owner}.{node.func.attr}(\"{event}\")"  # type: ignore[attr-defined]
    body = [call, "    yield"] if event == "startup" else ["    yield", call]
    app = owner if owner in fastapi_vars(mod) else "app"
    return remedy("\n".join(["@asynccontextmanager", "async def lifespan(app: FastAPI):", *body, "",
                             f"{app} = FastAPI(lifespan=lifespan)"]))


def _model_name(handler: str) -> str:
    words = [w for w in _VERB.sub("", handler).split("_") if w]
    return "".join(w.capitalize() for w in words or ["response"]) + "Out"


def response_model(route: Route) -> Remedy:
    """fastapi-missing-response-model: a model named after the handler, declared on the route."""
    model = _model_name(route.func.name)
    return remedy("\n".join([
        f"class {model}(BaseModel):", "    ...  # the fields clients may see", "",
        _decorator(route, f", response_model={model}"),
        f"{'async ' if route.is_async else ''}def {route.func.name}(...) -> {model}: ..."]))


def liveness(route: Route, path: str, io_name: str) -> Remedy:
    """fastapi-health-calls-downstream: the liveness route without I/O; the check moves to readiness."""
    return remedy("\n".join([
        f"@{route.router}.get({json.dumps(route.path or path)})", f"async def {route.func.name}() -> dict[str, str]:",
        '    return {"status": "ok"}  # the process answers: that is all liveness means', "",
        f"@{route.router}.get(\"/readyz\")",
        f"async def readyz() -> dict[str, str]:  # `{io_name}()` belongs here, behind the readinessProbe",
        "    ..."]))


def task(call: ast.Call, fn: FunctionNode) -> Remedy:
    """fastapi-dangling-task: the coroutine handed to FastAPI's BackgroundTasks, which runs after the response."""
    task = call.args[0] if call.args else None
    if not isinstance(task, ast.Call):
        return {}
    added = ast.Call(func=ast.Attribute(ast.Name("background_tasks"), "add_task"), args=[task.func, *task.args],
                     keywords=task.keywords)
    return remedy("\n".join([f"async def {fn.name}(..., background_tasks: BackgroundTasks):",
                             f"    {ast.unparse(added)}"]))


_ERRORS = (("httpx", "httpx.HTTPError"), ("requests", "requests.RequestException"), ("aiohttp", "aiohttp.ClientError"),
           ("sqlalchemy", "SQLAlchemyError"), ("asyncpg", "asyncpg.PostgresError"))


def narrow_except(mod: PythonModule, handler: ast.ExceptHandler, route: Route) -> Remedy:
    """fastapi-swallowed-exception: catch what the ``try`` can raise, and answer with an error status."""
    parent = mod.parents.get(handler)
    called = " ".join(imported_name(mod, n.func) or "" for n in ast.walk(parent) if isinstance(n, ast.Call)) \
        if isinstance(parent, ast.Try) else ""
    error = next((e for lib, e in _ERRORS if re.search(rf"\b{lib}\.", called)), "<the error you can handle>")
    return remedy("\n".join([f"except {error} as exc:  # in `{route.func.name}`",
                             '    raise HTTPException(status_code=502, detail="upstream failed") from exc',
                             "# anything else propagates: FastAPI logs it and answers 500"]))


def cors_origins(call: ast.Call, regex: bool) -> Remedy:
    """fastapi-cors-wildcard-credentials: the real middleware call listing the origins it trusts."""
    new = ast.Call(func=call.func, args=call.args, keywords=[
        k for k in call.keywords if k.arg not in ("allow_origins", "allow_origin_regex")])
    if regex:
        new.keywords.append(ast.keyword("allow_origin_regex", ast.Constant(r"https://([a-z0-9-]+\.)?example\.com")))
    else:
        new.keywords.append(ast.keyword("allow_origins", ast.List([ast.Constant("https://app.example.com")])))
    return remedy("# the origins of your own front ends, never \"*\" with credentials\n" + ast.unparse(new))


def _signing_algorithm(mod: PythonModule) -> str | None:
    for node in mod.nodes:
        if isinstance(node, ast.Call) and (imported_name(mod, node.func) or "").endswith("jwt.encode"):
            kw = keyword(node, "algorithm")
            if kw is not None and const_str(kw.value):
                return const_str(kw.value)
    return None


def verified_decode(mod: PythonModule, call: ast.Call) -> Remedy:
    """fastapi-jwt-verification-disabled: the real ``decode`` call with the signature checked and the
    algorithm pinned (the one the module signs with, when it does)."""
    algorithm = _signing_algorithm(mod)
    key = [] if len(call.args) >= 2 or keyword(call, "key") else [ast.Name("settings.jwt_public_key")]
    new = ast.Call(func=call.func, args=[*call.args[:2], *key], keywords=[
        k for k in call.keywords if k.arg not in ("options", "verify", "algorithms")])
    new.keywords.insert(0, ast.keyword("algorithms", ast.List([ast.Constant(algorithm or "RS256")])))
    note = "" if algorithm else "  # the algorithm your tokens are signed with"
    return remedy(f"payload = {ast.unparse(new)}{note}")


def secret_from_env(f: SourceFile, line: int) -> Remedy:
    """fastapi-hardcoded-secret: the name read from the environment. The suggestion drops the literal
    default of a ``BaseSettings`` field (the setting becomes required), or reads a module constant from
    ``os.environ`` where the module imports ``os``."""
    mod = f.python
    stmt = next((n for n in mod.nodes if isinstance(n, (ast.Assign, ast.AnnAssign)) and n.lineno == line
                 and n.end_lineno == line), None) if mod is not None else None
    target = (stmt.targets[0] if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 else
              stmt.target if isinstance(stmt, ast.AnnAssign) else None)
    if mod is not None and stmt is None:
        return _keyword_from_env(mod, line)
    if mod is None or not isinstance(target, ast.Name):
        return {}
    scope = mod.parents.get(stmt)
    name, text = target.id, f.line_text(line)
    if isinstance(scope, ast.ClassDef) and isinstance(stmt, ast.AnnAssign):
        bases = {(dotted(b) or "").rsplit(".", 1)[-1] for b in scope.bases}
        fix = f"{name}: SecretStr  # no default: startup fails when {name.upper()} is unset"
        if "BaseSettings" not in bases or not isinstance(stmt.value, ast.Constant):
            return remedy(fix)
        edit = replace_node(f.lines, stmt, f"{name}: {ast.unparse(stmt.annotation)}")
        return remedy(fix, edit[0] if edit else None, line=line)
    if not isinstance(scope, ast.Module):
        return {}
    fix = f'{name} = os.environ["{name}"]  # set in the deployment, never in the code'
    os_name = next((n for n, q in mod.imports.names.items() if q == "os"), None)
    edit = replace_node(f.lines, stmt, f'{name} = {os_name}.environ["{name}"]') if os_name and \
        isinstance(stmt, ast.Assign) and text.lstrip().startswith(name) else None
    return remedy(dedent_block(edit[0]) if edit else fix, edit[0] if edit else None, line=line)


def _keyword_from_env(mod: PythonModule, line: int) -> Remedy:
    """A literal passed as ``name="..."`` to a call: the value read from the environment instead."""
    for node in mod.nodes:
        parent = mod.parents.get(node) if isinstance(node, ast.Constant) and node.lineno == line else None
        if isinstance(parent, ast.keyword) and parent.arg:
            return remedy(f'{parent.arg}=os.environ["{parent.arg.upper()}"]  # set in the deployment (a Secret), '
                          "never in the code")
    return {}


_DEBUG_FIXES = {"debug": "debug=settings.debug  # False unless DEBUG=1 in development",
                "reload": 'reload=False  # reload=True only under `if __name__ == "__main__"`'}


def debug_off(f: SourceFile, node: ast.AST, what: str) -> Remedy:
    """fastapi-debug-enabled: ``True`` turned off where it is written (a settings value is the lasting fix).
    ``what``: the keyword (``debug``, ``reload``) or the assigned attribute (``app.debug``)."""
    fix = _DEBUG_FIXES.get(what, f"{what} = settings.debug  # False unless DEBUG=1 in development")
    if not (isinstance(node, ast.Constant) and node.value is True):
        return remedy(fix)
    edit = replace_node(f.lines, node, "False")
    return remedy(fix, edit[0], line=node.lineno) if edit is not None and edit[1] == node.lineno else remedy(fix)
