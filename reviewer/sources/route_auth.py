"""Which FastAPI routes authenticate, as the route-auth rule reads them.

A route's *auth dependencies* are the auth-named callables it depends on: ``Depends(x)`` and
``Security(x)`` in its parameters (also inside ``Annotated[...]`` and behind a module-level alias
such as ``CurrentUser = Annotated[User, Depends(get_current_user)]``), in the decorator's
``dependencies=[...]``, or an imported alias whose name says it (``current_user: CurrentUser``).
A dependency defined in the module is followed into its own parameters. A *router is guarded*
when the dependency sits on the router (``APIRouter(dependencies=...)``), on an
``include_router(..., dependencies=...)`` that reaches it, or on the app (``FastAPI(dependencies=...)``).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from reviewer.sources.fastapi_routes import Route, routes_of
from reviewer.sources.python_ast import FunctionNode, PythonModule, dotted, keyword

AUTH_NAME = re.compile(r"(?i)(current_?(active_?)?(super_?)?user|auth|token|principal|superuser|verify|api_?key"
                       r"|permission|scope|jwt|oauth|credential|require|claims|identity|logged_?in|admin|signed_?in)")
# routes meant to be reached without a login: named so in the handler or the path
EXEMPT = re.compile(r"(?i)(health|healthz|readyz|livez|ready|alive|liveness|readiness|ping|metrics|"
                    r"login|logout|signin|signup|sign_in|sign_up|register|token|refresh|password|recover|reset|"
                    r"verify|confirm|callback|webhook|public|anonymous|openapi|docs|robots|favicon|oauth|sso|"
                    r"invit|unsubscribe)")
# dependencies that are certainly not authentication: their absence says nothing
_PLAIN = re.compile(r"(?i)(session|db|database|conn|settings|config|pagination|paginat|page|limit|filter|sort|"
                    r"client|cache|redis|logger|repo|service|uow|unit_of_work|storage|bucket|queue|producer|"
                    r"background|request|lang|locale|tracer|http)")
_DEPENDS = frozenset({"Depends", "Security"})


def _depends_target(mod: PythonModule, node: ast.AST | None) -> str | None:
    """``x`` of ``Depends(x)``/``Security(x)``; "" for a bare ``Depends()`` (the annotation is the callable)."""
    if not (isinstance(node, ast.Call) and (mod.imports.qualify(node.func) or "").rsplit(".", 1)[-1] in _DEPENDS):
        return None
    arg = node.args[0] if node.args else (kw.value if (kw := keyword(node, "dependency")) else None)
    return ((dotted(arg) or "?").rsplit(".", 1)[-1]) if arg is not None else ""


def _aliases(mod: PythonModule) -> dict[str, str]:
    """Module-level ``Name = Annotated[T, Depends(x)]`` -> {"Name": "x"}."""
    cached = mod.__dict__.get("_ra_aliases")
    if cached is None:
        cached = {}
        for stmt in mod.tree.body:
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
                target = _annotated_dep(mod, stmt.value)
                if target:
                    cached[stmt.targets[0].id] = target
        mod.__dict__["_ra_aliases"] = cached
    return cached


def _annotated_dep(mod: PythonModule, ann: ast.AST | None) -> str | None:
    if isinstance(ann, ast.Subscript) and (dotted(ann.value) or "").endswith("Annotated"):
        items = ann.slice.elts if isinstance(ann.slice, ast.Tuple) else [ann.slice]
        for item in items[1:]:
            target = _depends_target(mod, item)
            if target:
                return target
    return None


def _pairs(fn: FunctionNode) -> list[tuple[ast.arg, ast.AST | None]]:
    args = fn.args
    positional = [*args.posonlyargs, *args.args]
    defaults: list[ast.AST | None] = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
    return [*zip(positional, defaults, strict=True), *zip(args.kwonlyargs, args.kw_defaults, strict=True)]


def _param_deps(mod: PythonModule, fn: FunctionNode) -> Iterator[str]:
    """Dependency names of ``fn``'s parameters: Depends targets, and annotation aliases."""
    for arg, default in _pairs(fn):
        yield from _param_deps_of(mod, arg, default)


def _param_deps_of(mod: PythonModule, arg: ast.arg, default: ast.AST | None) -> Iterator[str]:
    target = _depends_target(mod, default)
    if target == "" and arg.annotation is not None:
        target = (dotted(arg.annotation) or "").rsplit(".", 1)[-1]
    if target:
        yield target
        return
    ann = arg.annotation
    if (target := _annotated_dep(mod, ann)) is not None:
        yield target
    elif isinstance(ann, ast.Name | ast.Attribute) and (name := (dotted(ann) or "").rsplit(".", 1)[-1]):
        if name in _aliases(mod):
            yield _aliases(mod)[name]
        elif name in mod.imports.names and (is_auth(name) or name.endswith(("Dep", "Dependency"))):
            yield name  # an imported dependency alias: ``CurrentUser``, ``SessionDep``


def spelling(mod: PythonModule, route: Route, dep: str) -> str:
    """How ``route`` declares ``dep``: ``current_user: CurrentUser`` or ``dependencies=[Depends(verify_token)]``."""
    for arg, default in _pairs(route.func):
        if dep in set(_param_deps_of(mod, arg, default)):
            text = f"{arg.arg}: {ast.unparse(arg.annotation)}" if arg.annotation is not None else arg.arg
            return text + (f" = {ast.unparse(default)}" if default is not None else "")
    return f"dependencies=[Depends({dep})]"


def _decorator_deps(mod: PythonModule, dec: ast.Call) -> Iterator[str]:
    kw = keyword(dec, "dependencies")
    if kw is not None and isinstance(kw.value, ast.List | ast.Tuple):
        for item in kw.value.elts:
            target = _depends_target(mod, item)
            yield target or "?"


def dependency_names(mod: PythonModule, route: Route) -> set[str]:
    """Every dependency the route names, followed through the module's own dependency functions."""
    seen: set[str] = set()
    todo = [*_param_deps(mod, route.func), *_decorator_deps(mod, route.decorator)]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        local = mod.functions.get(name)
        if local is not None and not isinstance(local, ast.Lambda):
            todo += _param_deps(mod, local)
    return seen


def is_auth(name: str) -> bool:
    return bool(AUTH_NAME.search(name))


def may_authenticate(name: str) -> bool:
    """A dependency we cannot read that could be checking the caller (``get_owned_item``, a lambda)."""
    return name == "?" or (bool(name) and not _PLAIN.search(name))


_SERVICE_INFO = frozenset({"/status", "/version", "/info"})  # the service's own, not a resource's status


def exempt(route: Route) -> bool:
    path = (route.path or "").rstrip("/") or "/"
    return bool(EXEMPT.search(route.func.name) or EXEMPT.search(path) or path in _SERVICE_INFO)


def checks_in_body(fn: FunctionNode) -> bool:
    """The handler authenticates by hand: calls an auth-named function or raises 401/403."""
    for node in ast.walk(fn):
        if isinstance(node, ast.Call) and is_auth((dotted(node.func) or "").rsplit(".", 1)[-1]):
            return True
        if isinstance(node, ast.Constant) and node.value in (401, 403):
            return True
        if isinstance(node, ast.Attribute) and node.attr.startswith(("HTTP_401", "HTTP_403")):
            return True
    return False


def _router_keyword_deps(mod: PythonModule) -> tuple[set[str], bool]:
    """(router variables built with ``dependencies=``, whether an app is built with them)."""
    guarded, app = set(), False
    for node in mod.nodes:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) and keyword(node.value, "dependencies"):
            factory = (mod.imports.qualify(node.value.func) or "").rsplit(".", 1)[-1]
            if factory == "APIRouter":
                guarded |= {t.id for t in node.targets if isinstance(t, ast.Name)}
            elif factory == "FastAPI":
                app = True
    return guarded, app


def _stem(path: str) -> str:
    name = path.rsplit("/", 1)[-1].removesuffix(".py")
    return path.rsplit("/", 2)[-2] if name == "__init__" and "/" in path else name


def _router_key(mod: PythonModule, arg: ast.AST) -> tuple[str, str] | None:
    """(module stem, variable) of an included router argument: ``items.router``, ``items_router``."""
    name = dotted(arg)
    if name is None:
        return None
    qual = mod.imports.qualify(arg) or name
    parts = qual.split(".")
    if len(parts) == 1:
        return _stem(mod.path), parts[0]
    return parts[-2], parts[-1]


@dataclass
class Guards:
    """Routers protected by a dependency above them, across the modules of a tree."""

    routers: set[tuple[str, str]]  # (module stem, variable)
    app_wide: bool

    def covers(self, mod: PythonModule, router: str) -> bool:
        return self.app_wide or (_stem(mod.path), router) in self.routers


def guards(modules: Iterable[PythonModule]) -> Guards:
    mods = list(modules)
    out = Guards(set(), False)
    children: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for mod in mods:
        routers, app = _router_keyword_deps(mod)
        out.app_wide |= app
        out.routers |= {(_stem(mod.path), r) for r in routers}
        for node in mod.nodes:
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "include_router" and node.args):
                continue
            child = _router_key(mod, node.args[0])
            if child is None:
                continue
            if keyword(node, "dependencies") is not None:
                out.routers.add(child)
            parent = dotted(node.func.value)
            if parent:
                children.setdefault((_stem(mod.path), parent), []).append(child)
    todo = list(out.routers)
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in out.routers:
                out.routers.add(child)
                todo.append(child)
    return out


def router_routes(mod: PythonModule) -> dict[str, list[Route]]:
    """HTTP routes by router variable (websockets left out: they authenticate otherwise)."""
    out: dict[str, list[Route]] = {}
    for r in routes_of(mod):
        if r.method != "websocket":
            out.setdefault(r.router, []).append(r)
    return out
