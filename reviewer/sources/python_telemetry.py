"""What a Python module does about telemetry: prints, logging setup, OpenTelemetry instrumentation,
how it exposes Prometheus metrics, fan-outs with ``asyncio.gather``. Parsing only, one module at a time."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass

from reviewer.sources.fastapi_routes import has_fastapi_app
from reviewer.sources.python_ast import FunctionNode, PythonModule, const_str, dotted, keyword, nodes, walk_own_body

_CLI_LIBS = ("argparse", "click", "typer", "fire", "docopt")
_LOG_CONFIG = {"logging.basicConfig", "logging.config.dictConfig", "logging.config.fileConfig", "structlog.configure",
               "logging.config.dictconfig"}
_ENTRY_NAMES = re.compile(r"(^|/)(main|app|application|server|asgi|wsgi|worker|workers|celery\w*|cli|manage|run\w*|"
                          r"gunicorn\w*|__main__|bootstrap|entrypoint|consumer\w*|scheduler)\.py$")
# client library -> the OpenTelemetry instrumentation package that carries trace context on its requests
CLIENT_INSTRUMENTATION = {"httpx": "opentelemetry.instrumentation.httpx",
                          "requests": "opentelemetry.instrumentation.requests",
                          "aiohttp": "opentelemetry.instrumentation.aiohttp_client"}
INSTRUMENTOR_FIX = {"httpx": ("HTTPXClientInstrumentor", "HTTPXClientInstrumentor().instrument()"),
                    "requests": ("RequestsInstrumentor", "RequestsInstrumentor().instrument()"),
                    "aiohttp": ("AioHttpClientInstrumentor", "AioHttpClientInstrumentor().instrument()")}
_BOUNDS = ("Semaphore", "BoundedSemaphore", "CapacityLimiter", "aiometer", "max_connections", "TCPConnector(limit",
           "limits=", "Limits(")


def _main_guard(mod: PythonModule) -> set[int]:
    """ids of the nodes under ``if __name__ == "__main__":``: script code, not service code."""
    out: set[int] = set()
    for node in mod.tree.body:
        if isinstance(node, ast.If) and "__name__" in ast.unparse(node.test) and "__main__" in ast.unparse(node.test):
            out.update(id(n) for n in ast.walk(node))
    return out


def has_main_guard(mod: PythonModule) -> bool:
    return bool(_main_guard(mod))


def is_cli_module(mod: PythonModule) -> bool:
    """A command-line tool: it parses arguments, so printing is its interface."""
    return any(mod.imports.imports_module(lib) for lib in _CLI_LIBS)


def is_entry_module(path: str, mod: PythonModule) -> bool:
    """A module a process starts from (its name says so, it runs as ``__main__``, or it builds an app)."""
    return bool(_ENTRY_NAMES.search(path)) or has_main_guard(mod) or has_fastapi_app(mod)


def print_calls(mod: PythonModule) -> Iterator[ast.Call]:
    """``print(...)`` of the builtin (not a local ``print`` or ``rich.print``), outside a main guard,
    not to an explicit ``file=``."""
    if "print" in mod.imports.names or "print" in mod.functions:
        return
    guarded = _main_guard(mod)
    for call in nodes(mod, ast.Call):
        if isinstance(call.func, ast.Name) and call.func.id == "print" and id(call) not in guarded \
                and keyword(call, "file") is None:
            yield call


def logging_config_calls(mod: PythonModule) -> Iterator[ast.Call]:
    """Calls that set up logging for the whole process, outside a main guard."""
    guarded = _main_guard(mod)
    for call in nodes(mod, ast.Call):
        if id(call) not in guarded and (mod.imports.qualify(call.func) or "") in _LOG_CONFIG:
            yield call


def server_instrumented(mod: PythonModule) -> ast.AST | None:
    """The OpenTelemetry instrumentation of the app's own requests (the server side), if any."""
    for call in nodes(mod, ast.Call):
        qual = mod.imports.qualify(call.func) or ""
        if qual.startswith(("opentelemetry.instrumentation.fastapi", "opentelemetry.instrumentation.asgi")) or (
                qual.startswith("opentelemetry") and "instrument_app" in qual):
            return call
        if isinstance(call.func, ast.Attribute) and call.func.attr == "add_middleware" and call.args and \
                (mod.imports.qualify(call.args[0]) or "").startswith("opentelemetry"):
            return call
    return None


def instrumented_clients(mod: PythonModule) -> set[str]:
    """Client libraries this module instruments; ``*`` when it injects trace headers by hand."""
    out = {lib for lib, pkg in CLIENT_INSTRUMENTATION.items() if mod.imports.imports_module(pkg)}
    if mod.imports.imports_module("opentelemetry.propagate") or mod.imports.imports_module(
            "opentelemetry.instrumentation.auto_instrumentation"):
        out.add("*")
    return out


_THREAD_STARTS = {"threading.Thread": "threading.Thread(target=...)", "run_in_executor": "run_in_executor(...)",
                  "submit": "executor.submit(...)"}


def context_free_threads(mod: PythonModule, funcs: list[FunctionNode]) -> Iterator[tuple[ast.Call, str]]:
    """Work handed to another thread from ``funcs`` without the current context (contextvars, which
    carry the active span, do not cross into a thread; ``asyncio.to_thread`` copies them)."""
    if "copy_context" in ast.unparse(mod.tree) or mod.imports.imports_module("opentelemetry.instrumentation.threading"):
        return
    for fn in funcs:
        for node in walk_own_body(fn):
            if not isinstance(node, ast.Call):
                continue
            qual = mod.imports.qualify(node.func) or ""
            attr = node.func.attr if isinstance(node.func, ast.Attribute) else ""
            if qual == "threading.Thread":
                yield node, _THREAD_STARTS[qual]
            elif attr == "run_in_executor" or (attr == "submit" and "executor" in ast.unparse(node.func.value).lower()):  # type: ignore[attr-defined]
                yield node, _THREAD_STARTS[attr]


def http_libraries(mod: PythonModule) -> set[str]:
    return {lib for lib in CLIENT_INSTRUMENTATION if mod.imports.imports_module(lib)}


def call_library(mod: PythonModule, call: ast.Call) -> str | None:
    """The client library of an outbound call: by its qualified name, else the module's only one."""
    qual = mod.imports.qualify(call.func) or ""
    for lib in CLIENT_INSTRUMENTATION:
        if qual.startswith(lib + "."):
            return lib
    libs = http_libraries(mod)
    return libs.pop() if len(libs) == 1 else None


@dataclass(frozen=True)
class MetricsExposure:
    line: int
    how: str  # "app": served by the app on its own port, unguarded; "port": a separate server; "guarded"
    text: str


def metrics_exposures(mod: PythonModule) -> Iterator[MetricsExposure]:
    for call in nodes(mod, ast.Call):
        qual = mod.imports.qualify(call.func) or ""
        attr = call.func.attr if isinstance(call.func, ast.Attribute) else ""
        first = const_str(call.args[0]) if call.args else None
        if qual.endswith(("start_http_server", "start_wsgi_server")) and qual.startswith("prometheus_client"):
            yield MetricsExposure(call.lineno, "port", ast.unparse(call))
        elif attr in ("mount", "add_route") and first is not None and first.rstrip("/").endswith("metrics"):
            yield MetricsExposure(call.lineno, "app", ast.unparse(call))
        elif attr == "expose" and "Instrumentator" in ast.unparse(call.func):
            guarded = keyword(call, "dependencies") is not None
            yield MetricsExposure(call.lineno, "guarded" if guarded else "app", ast.unparse(call))
    for fn in nodes(mod, ast.FunctionDef, ast.AsyncFunctionDef):
        for dec in fn.decorator_list:  # type: ignore[attr-defined]
            if isinstance(dec, ast.Call) and isinstance(dec.func, ast.Attribute) and dec.func.attr == "get" and \
                    dec.args and (const_str(dec.args[0]) or "").rstrip("/").endswith("/metrics"):
                guarded = keyword(dec, "dependencies") is not None or any(
                    "Depends" in ast.unparse(d) or "Security" in ast.unparse(d)
                    for d in [*fn.args.defaults, *fn.args.kw_defaults] if d is not None)  # type: ignore[attr-defined]
                yield MetricsExposure(dec.lineno, "guarded" if guarded else "app", ast.unparse(dec))


def is_bounded_module(mod: PythonModule, text: str) -> bool:
    """The module limits its concurrency somewhere (a semaphore, a connection limit)."""
    return any(b in text for b in _BOUNDS)


def fanout_gathers(mod: PythonModule) -> Iterator[tuple[ast.Call, FunctionNode, ast.expr]]:
    """``asyncio.gather(*(f(x) for x in xs))`` in an async function, over data (not a literal or a
    module constant): (the gather call, the function, the element expression)."""
    consts = {t.id for node in mod.tree.body if isinstance(node, ast.Assign) and isinstance(
        node.value, (ast.List, ast.Tuple, ast.Set, ast.Dict)) for t in node.targets if isinstance(t, ast.Name)}
    for fn in nodes(mod, ast.AsyncFunctionDef):
        for call in ast.walk(fn):
            if not (isinstance(call, ast.Call) and (mod.imports.qualify(call.func) or "").endswith("gather")):
                continue
            for arg in call.args:
                comp = arg.value if isinstance(arg, ast.Starred) else None
                if not isinstance(comp, (ast.ListComp, ast.GeneratorExp)) or len(comp.generators) != 1:
                    continue
                it = comp.generators[0].iter
                if isinstance(it, (ast.List, ast.Tuple, ast.Set)) or (isinstance(it, ast.Name) and it.id in consts):
                    continue
                if isinstance(it, ast.Call) and dotted(it.func) == "range" and all(
                        isinstance(a, ast.Constant) for a in it.args):
                    continue
                yield call, fn, comp.elt  # type: ignore[misc]
