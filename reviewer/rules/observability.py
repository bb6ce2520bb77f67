"""Observability and communication: trace context that stops at a hop, prints and scattered logging
setup, metrics served on the public port, fan-outs with no concurrency bound."""

from __future__ import annotations

import ast
import posixpath
from collections.abc import Iterator
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from reviewer.classify import FileKind, is_test_path
from reviewer.model import Category, Severity
from reviewer.project import SourceFile
from reviewer.rules.registry import Hit, RuleContext, Scope, rule
from reviewer.services.url_templates import http_call_url
from reviewer.sources import python_telemetry as tel
from reviewer.sources.fastapi_routes import handler_functions
from reviewer.sources.migrations import is_alembic_script
from reviewer.sources.python_ast import PythonModule, walk_own_body

if TYPE_CHECKING:
    from reviewer.services.model import Service, ServiceModel

_NOT_SERVICE_CODE = {"scripts", "script", "tools", "bin", "examples", "example", "migrations", "alembic", "management",
                     "commands", "docs", "benchmarks", "bench", "samples", "seed", "seeds", "fixtures", "notebooks"}


# The services stack is imported when a rule first needs it: a review of a file without a print or
# a gather does not pay for it.
def _model(ctx: RuleContext) -> ServiceModel:
    from reviewer.services.build import build_service_model

    return build_service_model(ctx.project, ctx.service_roots)


def eligible(svc: Service) -> bool:
    from reviewer.services.conventions import eligible

    return eligible(svc)


def serves_routes(model: ServiceModel, svc: Service) -> bool:
    from reviewer.services.traits import serves_routes

    return serves_routes(model, svc)


def dockerfile_of(model: ServiceModel, svc: Service) -> str | None:
    from reviewer.services.traits import dockerfile_of

    return dockerfile_of(model, svc)


def service_code(path: str) -> bool:
    """A module of a service's running code: not tests, scripts, tools, migrations or examples."""
    dirs, name = path.split("/")[:-1], path.rsplit("/", 1)[-1]
    return not is_test_path(path) and "test" not in name and not set(dirs) & _NOT_SERVICE_CODE and not any(
        d.startswith(("alembic", "migration", "eval", "debug")) for d in dirs)


def _web_services(model: ServiceModel) -> Iterator[Service]:
    for svc in model.services:
        if eligible(svc) and serves_routes(model, svc):
            yield svc


def _modules(ctx: RuleContext, svc: Service) -> Iterator[tuple[str, PythonModule]]:
    for path in svc.files:
        f = ctx.project.get(path)
        if f is not None and f.python is not None and service_code(path) and not is_alembic_script(f.python):
            yield path, f.python


# A plain file rule, not ``reads_model``: a print is not what the service model reads, so the
# cross-file gate stays shut for a PR that only adds one. It asks the model only for a file that prints.
@rule("logging-print-in-service", kinds={FileKind.PYTHON}, category=Category.OPERABILITY, severity=Severity.INFO)
def print_in_service(f: SourceFile, ctx: RuleContext) -> Iterator[Hit]:
    """`print` in service code

    Why: `print` writes to stdout with no level, no logger name, no timestamp and no request id,
    bypasses the logging setup (JSON formatting, shipping, redaction), and is block-buffered in a
    container, so the line may show up late or never. Use the module's logger.

    Fix:
        logger = logging.getLogger(__name__)
        logger.info("order %s created", order.id)
    """
    mod = f.python
    if mod is None or "print" not in f.text or not service_code(f.path) or tel.is_cli_module(mod) or \
            is_alembic_script(mod) or "log" in posixpath.basename(f.path):  # a logging helper may print last
        return
    calls = list(tel.print_calls(mod))
    if not calls:
        return
    model = _model(ctx)
    svc = model.owner_of(f.path)
    if svc is None or not eligible(svc) or f.path not in svc.files or not serves_routes(model, svc):
        return
    for call in calls:
        args = ", ".join(ast.unparse(a) for a in call.args) or '""'
        level = "error" if any(w in args.lower() for w in ("error", "exception", "fail")) else "info"
        yield Hit(call.lineno, f"`print({args[:60]})` in `{posixpath.basename(f.path)}`",
                  fix=f"logger = logging.getLogger(__name__)  # once, at module level\n"
                      f"logger.{level}({args})")


@rule("logging-configured-per-module", category=Category.OPERABILITY, severity=Severity.WARNING, scope=Scope.PROJECT)
def configured_per_module(ctx: RuleContext) -> Iterator[Hit]:
    """Logging configured in a library module as well as at start-up

    Why: logging is process-wide and is set up once, where the process starts. A second
    `basicConfig` in an imported module is silently ignored or wins depending on import order, and a
    second `dictConfig` disables the loggers the first one made: the service's logs change shape, or
    vanish, because of which module was imported first. Keep one setup at the entry point; modules
    only ask for `logging.getLogger(__name__)`.

    Fix:
        # app/main.py (the entry point) configures logging once
        # every other module:
        logger = logging.getLogger(__name__)
    """
    model = _model(ctx)
    for svc in model.services:
        if not eligible(svc):
            continue
        found = [(path, mod, call) for path, mod in _modules(ctx, svc) for call in tel.logging_config_calls(mod)]
        entries = [(p, c) for p, m, c in found if tel.is_entry_module(p, m)]
        libraries = [(p, c) for p, m, c in found
                     if not tel.is_entry_module(p, m) and "log" not in posixpath.basename(p)]
        if not entries or not libraries:
            continue
        entry_path, entry_call = entries[0]
        for path, call in libraries:
            name = (ast.unparse(call.func)).rsplit(".", 1)[-1]
            yield Hit(call.lineno,
                      f"`{name}()` in `{path}`, and again at start-up in `{entry_path}:{entry_call.lineno}`",
                      path=path, also=((entry_path, entry_call.lineno),),
                      fix=f"# {path}: no logging setup here ({entry_path} does it once)\n"
                          "logger = logging.getLogger(__name__)")


def _auto_instrumented(ctx: RuleContext, model: ServiceModel, svc: Service) -> bool:
    """``opentelemetry-instrument`` runs the service: every installed instrumentation is on."""
    path = dockerfile_of(model, svc)
    f = ctx.project.get(path) if path else None
    texts = [f.text] if f is not None else []
    texts += [ctx.project.get(p.workload.path).text for p in svc.workloads if ctx.project.get(p.workload.path)]  # type: ignore[union-attr]
    return any("opentelemetry-instrument" in t for t in texts) or any(
        e.name.startswith("OTEL_PYTHON_") and "AUTO" in e.name for e in svc.env)


def _calls_sibling(model: ServiceModel, svc: Service, url: str) -> bool:
    if url.startswith("${"):
        return True  # a base URL from the environment: in a service repository, another service
    host = urlsplit(url).hostname if "://" in url else None
    other = model.resolve_host(host) if host else None
    return other is not None and other is not svc


@rule("otel-context-lost", category=Category.OPERABILITY, severity=Severity.WARNING, scope=Scope.PROJECT)
def context_lost(ctx: RuleContext) -> Iterator[Hit]:
    """Trace context lost across a hop (an uninstrumented client or thread)

    Why: the service traces its incoming requests with OpenTelemetry, but its HTTP client is not
    instrumented, so no `traceparent` header goes out: the callee starts a new trace, and the one
    request that crossed both services shows as two unrelated traces. The slow hop you are hunting
    is exactly the one you cannot see. Work handed to a thread (`run_in_executor`,
    `executor.submit`, `threading.Thread`) from a handler loses the context the same way.

    Fix:
        from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor

        HTTPXClientInstrumentor().instrument()  # once at start-up, next to FastAPIInstrumentor
    """
    model = _model(ctx)
    for svc in _web_services(model):
        mods = list(_modules(ctx, svc))
        server = next(((p, n) for p, m in mods if (n := tel.server_instrumented(m)) is not None), None)
        if server is None or _auto_instrumented(ctx, model, svc):
            continue
        for path, mod in mods:
            for call, how in tel.context_free_threads(mod, handler_functions(mod)):
                yield Hit(call.lineno, f"`{svc.name}` traces its requests but hands work to `{how}`, which starts "
                                       "without the request's trace context", path=path,
                          fix="ctx = contextvars.copy_context()  # the active span travels with it\n"
                              "await loop.run_in_executor(executor, ctx.run, work, arg)\n"
                              "# or, without an executor of your own: await asyncio.to_thread(work, arg)")
        covered = set().union(*(tel.instrumented_clients(m) for _, m in mods))
        if "*" in covered:
            continue
        for path, mod in mods:
            for call in (n for n in mod.nodes if isinstance(n, ast.Call)):
                url = http_call_url(mod, call)
                lib = tel.call_library(mod, call) if url is not None else None
                if lib is None or lib in covered or not _calls_sibling(model, svc, url or ""):
                    continue
                name, line = tel.INSTRUMENTOR_FIX[lib]
                yield Hit(call.lineno, f"`{svc.name}` traces its requests ({server[0]}:{server[1].lineno}) but calls "
                                       f"`{url}` through {lib}, which is not instrumented",
                          path=path, fix=f"from {tel.CLIENT_INSTRUMENTATION[lib]} import {name}\n\n"
                                         f"{line}  # once at start-up, next to the server instrumentation")


@rule("metrics-on-public-port", category=Category.SECURITY, severity=Severity.WARNING, scope=Scope.PROJECT)
def metrics_public(ctx: RuleContext) -> Iterator[Hit]:
    """`/metrics` served on the public port, where the sibling services keep it apart

    Why: the other services here serve Prometheus metrics on a separate port (or behind a
    dependency) that only the scraper reaches; this one serves them on the API's own port, so
    whoever reaches the API reads its route names, error rates and internals, and can load it by
    scraping. Do what the siblings do.

    Fix:
        from prometheus_client import start_http_server

        start_http_server(9100)  # scraped inside the cluster; the API port serves no /metrics
    """
    model = _model(ctx)
    by_service = {}
    for svc in _web_services(model):
        by_service[svc.name] = [(p, e) for p, m in _modules(ctx, svc) for e in tel.metrics_exposures(m)]
    apart = {n: ex for n, ex in by_service.items() if ex and all(e.how != "app" for _, e in ex)}
    public = {n: ex for n, ex in by_service.items() if any(e.how == "app" for _, e in ex)}
    if len(by_service) < 3 or len(apart) < 2 or len(apart) <= len(public):
        return
    for name, exposures in sorted(public.items()):
        sibs = sorted(apart)[:2]
        path, example = apart[sibs[0]][0]
        imports = "from prometheus_client import start_http_server\n" if example.how == "port" else ""
        for where, e in exposures:
            if e.how == "app":
                yield Hit(e.line, f"`{name}` serves `/metrics` on its API port; `{sibs[0]}` and `{sibs[1]}` keep "
                                  "metrics off it", path=where,
                          fix=f"# as `{sibs[0]}` does ({path}:{example.line}):\n{imports}{example.text}")


def _does_http(mod: PythonModule, elt: ast.expr) -> bool:
    """The fan-out element calls out over HTTP: directly, or through a function of this module."""
    call = elt.value if isinstance(elt, ast.Await) else elt
    if not isinstance(call, ast.Call):
        return False
    if http_call_url(mod, call) is not None:
        return True
    fn = mod.functions.get(call.func.id) if isinstance(call.func, ast.Name) else None
    return fn is not None and any(isinstance(n, ast.Call) and http_call_url(mod, n) is not None
                                  for n in walk_own_body(fn))


@rule("bulkhead-gather-unbounded", kinds={FileKind.PYTHON}, category=Category.RESILIENCE, severity=Severity.WARNING)
def gather_unbounded(f: SourceFile, ctx: RuleContext) -> Iterator[Hit]:
    """Fan-out with `asyncio.gather` and no concurrency bound

    Why: one `gather` over a list that comes from data opens one request per item, all at once:
    a request with 500 ids sends 500 concurrent calls to the downstream service, exhausts the
    client's connection pool and the callee's workers, and one large request starves every other.
    Bound the fan-out with a semaphore (a bulkhead) or the client's connection limits.

    Fix:
        limit = asyncio.Semaphore(10)

        async def fetch_one(item_id: int) -> dict:
            async with limit:
                return (await client.get(f"/items/{item_id}")).json()

        items = await asyncio.gather(*(fetch_one(i) for i in item_ids))
    """
    mod = f.python
    if mod is None or "gather" not in f.text or not service_code(f.path) or tel.is_bounded_module(mod, f.text):
        return
    for call, fn, elt in tel.fanout_gathers(mod):
        if _does_http(mod, elt):
            over = ast.unparse(call.args[0])[:80]
            yield Hit(call.lineno, f"`{fn.name}` gathers `{over}` with no bound on how many run at once",
                      fix="limit = asyncio.Semaphore(10)  # at module level: at most 10 calls in flight\n\n"
                          "async def bounded(coro):\n    async with limit:\n        return await coro\n\n"
                          f"await asyncio.gather(*(bounded({ast.unparse(elt)}) for "
                          f"{ast.unparse(call.args[0].value.generators[0].target)} in "  # type: ignore[attr-defined]
                          f"{ast.unparse(call.args[0].value.generators[0].iter)}))")  # type: ignore[attr-defined]
