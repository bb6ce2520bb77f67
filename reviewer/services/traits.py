"""What one service does that its siblings may all do too: its traits, read from the service model.

A trait is a fact about one service (it imports OpenTelemetry, it serves a health route, its
Dockerfile starts FROM python:*-slim) with the service's own lines as evidence, so a fix can be
written in that service's style. ``None`` means the trait does not apply (a worker has no routes
to version). Pure: it reads parsed files through the model, nothing else.
"""

from __future__ import annotations

import ast
import posixpath
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from reviewer.services.model import Service, ServiceModel
from reviewer.sources.fastapi_routes import has_fastapi_app, route_path, routes_of
from reviewer.sources.python_ast import PythonModule, const_str, dotted, keyword, nodes

HEALTH_SEGMENTS = {"health", "healthz", "healthcheck", "ready", "readyz", "readiness", "live", "livez",
                   "liveness", "ping", "status", "heartbeat"}
_VERSION = re.compile(r"(^|/)v\d+(/|$)")
_AUTH_NAME = re.compile(r"auth|_user$|current_user|get_user|token|jwt|api_?key|verify|oauth|principal|permission|scope",
                        re.I)
_AUTH_SCHEMES = ("OAuth2PasswordBearer", "OAuth2AuthorizationCodeBearer", "HTTPBearer", "HTTPBasic",
                 "APIKeyHeader", "APIKeyCookie", "APIKeyQuery", "OpenIdConnect")
CORRELATION_HEADERS = ("x-request-id", "x-correlation-id", "request-id", "correlation-id", "traceparent")


@dataclass(frozen=True)
class Evidence:
    """Where a service shows a trait, and the lines a sibling would copy."""

    path: str
    line: int
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Trait:
    follows: bool
    evidence: Evidence | None = None
    value: str | None = None  # for a trait with a value (the base image family), what this service has


def _text(model: ServiceModel, path: str, line: int, end: int | None = None) -> tuple[str, ...]:
    f = model.code.project.get(path)
    if f is None:
        return ()
    return tuple(f.line_text(n).rstrip() for n in range(line, (end or line) + 1))


def modules(model: ServiceModel, svc: Service) -> list[tuple[str, PythonModule]]:
    """The service's parsed modules (parsed only: traits need no route I/O analysis), once per model."""
    cache: dict[int, list[tuple[str, PythonModule]]] = model.__dict__.setdefault("_arch_modules", {})
    if id(svc) not in cache:
        files = (model.code.project.get(p) for p in svc.files)
        cache[id(svc)] = [(f.path, f.python) for f in files if f is not None and f.python is not None]
    return cache[id(svc)]


def _import_lines(model: ServiceModel, path: str, mod: PythonModule, prefixes: tuple[str, ...]) -> list[int]:
    out = []
    for node in nodes(mod, ast.Import, ast.ImportFrom):
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
        if node.col_offset == 0 and any(n == p or n.startswith(p + ".") for n in names for p in prefixes):
            out.append(node.lineno)
    return sorted(out)


def _first_call(mod: PythonModule, want: Callable[[str], bool]) -> ast.Call | None:
    """The first call of something ``want`` names, or that passes it (``add_middleware(X)``)."""
    found = [n for n in nodes(mod, ast.Call) if any(want(mod.imports.qualify(e) or "") for e in [n.func, *n.args])]
    return min(found, key=lambda n: n.lineno) if found else None


def library_trait(model: ServiceModel, svc: Service, prefixes: tuple[str, ...],
                  usage: Callable[[str], bool] | None = None) -> Trait:
    """Whether the service's code imports one of ``prefixes``; evidence: the import, then its first use."""
    use = usage or (lambda q: q.startswith(prefixes))
    for path, mod in modules(model, svc):
        imports = _import_lines(model, path, mod, prefixes)
        if not imports:
            continue
        call = _first_call(mod, use)
        lines = list(_text(model, path, imports[0]))
        if call is not None:
            lines += _text(model, path, call.lineno, getattr(call, "end_lineno", None) or call.lineno)
        return Trait(True, Evidence(path, imports[0], tuple(lines)))
    return Trait(False)


def _route_paths(model: ServiceModel, svc: Service) -> Iterator[tuple[str, int, str]]:
    """(file, decorator line, path behind its router's prefix) of each route with a literal path."""
    for path, mod in modules(model, svc):
        for r in routes_of(mod):
            route = route_path(mod, r)
            if route is not None:
                yield path, r.line, route


def is_health_path(path: str) -> bool:
    last = path.rstrip("/").rsplit("/", 1)[-1].lower()
    return last in HEALTH_SEGMENTS


def serves_routes(model: ServiceModel, svc: Service) -> bool:
    cache: dict[int, bool] = model.__dict__.setdefault("_arch_serves", {})
    if id(svc) not in cache:
        cache[id(svc)] = any(routes_of(mod) for _, mod in modules(model, svc))
    return cache[id(svc)]


def health_trait(model: ServiceModel, svc: Service) -> Trait | None:
    paths = list(_route_paths(model, svc))
    if not paths:
        return None
    for path, line, route in paths:
        if is_health_path(route):
            mod = next(m for p, m in modules(model, svc) if p == path)
            found = next((r for r in routes_of(mod) if r.line == line), None)
            end = found.func.lineno if found is not None else line
            return Trait(True, Evidence(path, line, _text(model, path, line, end)))
    return Trait(False)


def version_trait(model: ServiceModel, svc: Service) -> Trait | None:
    """Most of the service's (non-health) routes live under a ``/v1``-style prefix."""
    paths = [p for p in _route_paths(model, svc) if not is_health_path(p[2])]
    if not paths:
        return None
    versioned = [p for p in paths if _VERSION.search(p[2])]
    if len(versioned) * 2 < len(paths):
        return Trait(False)
    for path, mod in modules(model, svc):  # the prefix as written, for the fix
        for call in nodes(mod, ast.Call):
            kw = keyword(call, "prefix")
            value = const_str(kw.value) if kw is not None else None
            if value and _VERSION.search(value):
                return Trait(True, Evidence(path, call.lineno, _text(model, path, call.lineno)))
    path, line, _ = versioned[0]
    return Trait(True, Evidence(path, line, _text(model, path, line)))


def auth_trait(model: ServiceModel, svc: Service) -> Trait | None:
    if not serves_routes(model, svc):
        return None
    for path, mod in modules(model, svc):
        for call in nodes(mod, ast.Call):
            name = (dotted(call.func) or "").rsplit(".", 1)[-1]
            arg = call.args[0] if name in ("Depends", "Security") and call.args else None
            target = dotted(arg.func if isinstance(arg, ast.Call) else arg) if arg is not None else None
            if (target and _AUTH_NAME.search(target.rsplit(".", 1)[-1])) or name in _AUTH_SCHEMES:
                return Trait(True, Evidence(path, call.lineno, _text(model, path, call.lineno)))
    return Trait(False)


def cors_trait(model: ServiceModel, svc: Service) -> Trait | None:
    if not serves_routes(model, svc):
        return None
    for path, mod in modules(model, svc):
        for call in nodes(mod, ast.Call):
            if isinstance(call.func, ast.Attribute) and call.func.attr == "add_middleware" and call.args and \
                    (dotted(call.args[0]) or "").endswith("CORSMiddleware"):
                end = getattr(call, "end_lineno", None) or call.lineno
                return Trait(True, Evidence(path, call.lineno, _text(model, path, call.lineno, end)))
    return Trait(False)


def correlation_trait(model: ServiceModel, svc: Service) -> Trait | None:
    """A request or correlation id: asgi-correlation-id, or code that reads such a header."""
    if not serves_routes(model, svc) or not any(m.imports.imports_module(lib) for _, m in modules(model, svc)
                                                for lib in ("logging", "structlog", "loguru")):
        return None  # a service that logs nothing has no log lines to join
    lib = library_trait(model, svc, ("asgi_correlation_id", "starlette_context"),
                        lambda q: q.startswith(("asgi_correlation_id", "starlette_context")))
    if lib.follows:
        return lib
    for path, mod in modules(model, svc):
        for node in nodes(mod, ast.Constant):
            if isinstance(node.value, str) and node.value.lower() in CORRELATION_HEADERS[:4]:
                return Trait(True, Evidence(path, node.lineno, _text(model, path, node.lineno)))
    return Trait(False)


def outbound_retry_trait(model: ServiceModel, svc: Service) -> Trait | None:
    """Outbound calls go through a retry helper (tenacity, backoff, stamina); only for callers."""
    found = library_trait(model, svc, ("tenacity", "backoff", "stamina"))
    if found.follows or any(rf.calls for facts in svc.facts(model) for rf in facts.routes):
        return found
    return None


def app_anchor(model: ServiceModel, svc: Service) -> tuple[str, int] | None:
    """The ``app = FastAPI(...)`` line: where a service-wide code convention is discussed."""
    for path, mod in modules(model, svc):
        if "FastAPI" in model.code.project.get(path).text and has_fastapi_app(mod):  # type: ignore[union-attr]
            call = _first_call(mod, lambda q: q == "fastapi.FastAPI" or q == "FastAPI")
            if call is not None:
                return path, call.lineno
    return None


def dockerfile_of(model: ServiceModel, svc: Service) -> str | None:
    """The Dockerfile compose builds the service from; else ``<root>/Dockerfile`` when there is one."""
    if svc.dockerfile is not None:
        return svc.dockerfile
    if svc.root is None:
        return None
    path = posixpath.join(svc.root, "Dockerfile") if svc.root else "Dockerfile"
    f = model.code.project.get(path)
    return path if f is not None else None


def image_family(ref: str) -> str | None:
    """``python:3.12-slim-bookworm`` -> ``python:*-slim`` (the flavour, not its release);
    ``python:3.12`` -> ``python``."""
    if "$" in ref or "{{" in ref or ref.lower() == "scratch":
        return None
    ref = ref.split("@", 1)[0].lower()
    head, _, last = ref.rpartition("/")
    name, _, tag = last.partition(":")
    repo = f"{head}/{name}" if head else name
    flavour = re.sub(r"[\d.]+$", "", re.sub(r"^[\d.]+-?", "", tag).split("-", 1)[0])
    if not tag or not flavour or flavour == "latest":
        return repo
    return f"{repo}:*-{flavour}" if tag[0].isdigit() else f"{repo}:{flavour}"


def base_image_trait(model: ServiceModel, svc: Service) -> Trait | None:
    path = dockerfile_of(model, svc)
    f = model.code.project.get(path) if path else None
    if f is None or path is None:
        return None
    df = f.dockerfile
    stage = df.final
    if stage is None:
        return None
    chain = df.chain(stage)
    first = chain[-1]
    family = image_family(first.base)
    if family is None:
        return None
    return Trait(True, Evidence(path, first.line, _text(model, path, first.line)), value=family)
