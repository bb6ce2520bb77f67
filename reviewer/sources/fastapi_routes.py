"""FastAPI routes, read once for every consumer: the decorated handlers of a module, the
``APIRouter(prefix=...)`` of each router variable, the ``include_router``/``mount`` calls, the
dependencies of the request path, and (``AppRoutes``) the full paths an app serves once the
``include_router`` chains across files are followed.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from reviewer.sources.python_ast import FunctionNode, PythonModule, const_str, dotted, keyword

ROUTE_ATTRS = frozenset({"get", "post", "put", "patch", "delete", "options", "head", "trace", "api_route",
                         "websocket", "route"})
_APP_FACTORIES = {"fastapi.FastAPI", "fastapi.APIRouter", "FastAPI", "APIRouter"}
_APPLIKE_NAMES = ("app", "router", "api", "application")
_STATUS_NAME = re.compile(r"HTTP_(\d{3})")
UNKNOWN = None  # a prefix we cannot read (a variable, a call): the route's full path is unknown


@dataclass(frozen=True)
class Route:
    """One ``@router.get("/path")`` handler; ``path`` is as written (None when not a literal)."""

    func: FunctionNode
    decorator: ast.Call
    router: str  # the app/router variable name
    method: str  # get/post/.../api_route/websocket
    path: str | None

    @property
    def is_async(self) -> bool:
        return isinstance(self.func, ast.AsyncFunctionDef)

    @property
    def line(self) -> int:
        return self.decorator.lineno

    def kwarg(self, name: str) -> ast.AST | None:
        kw = keyword(self.decorator, name)
        return kw.value if kw else None

    @property
    def deprecated(self) -> bool:
        flag = self.kwarg("deprecated")
        return isinstance(flag, ast.Constant) and flag.value is True

    @property
    def status_code(self) -> int | None:
        return status_code(self.kwarg("status_code"))

    def response_expr(self) -> ast.expr | None:
        """``response_model=``, else the return annotation: what the client receives."""
        kw = keyword(self.decorator, "response_model")
        return kw.value if kw is not None else self.func.returns


@dataclass(frozen=True)
class Include:
    """``app.include_router(users.router, prefix="/users")`` in a module."""

    includer: str  # the variable whose method is called
    router: str  # the included router, qualified through the module's imports
    prefix: str | None  # None: not a literal
    line: int
    expr: ast.expr | None = field(default=None, compare=False)  # the router argument as written


def status_code(node: ast.AST | None) -> int | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, int):
        return node.value
    m = _STATUS_NAME.search(dotted(node) or "") if node is not None else None
    return int(m.group(1)) if m else None


def _memo(mod: PythonModule, key: str, build: Callable[[], object]) -> object:
    if key not in mod.__dict__:
        mod.__dict__[key] = build()
    return mod.__dict__[key]


def _assigned_calls(mod: PythonModule) -> Iterator[tuple[list[str], ast.Call]]:
    """Module-level ``name = Call(...)`` (and annotated) assignments."""
    for node in mod.tree.body:
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and isinstance(node.value, ast.Call):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            yield [t.id for t in targets if isinstance(t, ast.Name)], node.value


def app_names(mod: PythonModule) -> set[str]:
    """Variables (anywhere in the module) bound to ``FastAPI(...)`` or ``APIRouter(...)``."""
    def build() -> set[str]:
        names = set()
        for node in mod.nodes:
            if isinstance(node, (ast.Assign, ast.AnnAssign)) and isinstance(node.value, ast.Call):
                qual = mod.imports.qualify(node.value.func) or ""
                if qual in _APP_FACTORIES or qual.endswith((".FastAPI", ".APIRouter")):
                    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                    names.update(t.id for t in targets if isinstance(t, ast.Name))
        return names
    return _memo(mod, "_fr_app_names", build)  # type: ignore[return-value]


def fastapi_vars(mod: PythonModule) -> set[str]:
    """Variables holding a ``FastAPI()`` app (the root of the include chains): at module level, or
    in an app factory (``application = FastAPI(); application.include_router(router)``)."""
    def build() -> set[str]:
        names = set()
        for node in mod.nodes:
            if isinstance(node, (ast.Assign, ast.AnnAssign)) and isinstance(node.value, ast.Call) and (
                    mod.imports.qualify(node.value.func) or "").rsplit(".", 1)[-1] == "FastAPI":
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                names.update(t.id for t in targets if isinstance(t, ast.Name))
        return names
    return _memo(mod, "_fr_apps", build)  # type: ignore[return-value]


def has_fastapi_app(mod: PythonModule) -> bool:
    def build() -> bool:
        for node in mod.nodes:
            if isinstance(node, ast.Call):
                qual = mod.imports.qualify(node.func) or ""
                if qual in ("fastapi.FastAPI", "FastAPI") or qual.endswith(".FastAPI"):
                    return True
        return False
    return _memo(mod, "_fr_has_app", build)  # type: ignore[return-value]


def router_prefixes(mod: PythonModule) -> dict[str, str | None]:
    """``router = APIRouter(prefix="/v1")`` -> {"router": "/v1"}; None for a prefix that is not a literal."""
    def build() -> dict[str, str | None]:
        out: dict[str, str | None] = {}
        for names, call in _assigned_calls(mod):
            if (mod.imports.qualify(call.func) or "").endswith("APIRouter"):
                kw = keyword(call, "prefix")
                prefix = const_str(kw.value) if kw is not None else ""
                out.update(dict.fromkeys(names, prefix))
        return out
    return _memo(mod, "_fr_prefixes", build)  # type: ignore[return-value]


def routes_of(mod: PythonModule) -> list[Route]:
    """Every decorated route handler of the module, in walk order."""
    def build() -> list[Route]:
        out = []
        apps = app_names(mod)
        for node in mod.nodes:
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for dec in node.decorator_list:
                if not (isinstance(dec, ast.Call) and isinstance(dec.func, ast.Attribute)):
                    continue
                if dec.func.attr not in ROUTE_ATTRS:
                    continue
                owner = dotted(dec.func.value) or ""
                last = owner.rsplit(".", 1)[-1]
                if owner not in apps and not last.lower().endswith(_APPLIKE_NAMES):
                    continue
                kw = keyword(dec, "path")
                path = const_str(dec.args[0]) if dec.args else const_str(kw.value if kw else None)
                out.append(Route(node, dec, owner, dec.func.attr, path))
        return out
    return _memo(mod, "_fr_routes", build)  # type: ignore[return-value]


def route_path(mod: PythonModule, route: Route) -> str | None:
    """The route's path with its own router's prefix; None when either is not a literal."""
    prefix = router_prefixes(mod).get(route.router, "")
    return None if route.path is None or prefix is None else prefix + route.path


def depends_targets(mod: PythonModule) -> set[str]:
    """Names of functions used as ``Depends(x)`` / ``Security(x)`` anywhere in the module."""
    names = set()
    for node in mod.nodes:
        if isinstance(node, ast.Call) and node.args:
            qual = mod.imports.qualify(node.func) or ""
            if qual.rsplit(".", 1)[-1] in ("Depends", "Security"):
                target = dotted(node.args[0])
                if target:
                    names.add(target.rsplit(".", 1)[-1])
    return names


def handler_functions(mod: PythonModule) -> list[FunctionNode]:
    """Route handlers and dependency functions: code that runs on the request path."""
    def build() -> list[FunctionNode]:
        seen: dict[int, FunctionNode] = {}
        for r in routes_of(mod):
            seen[id(r.func)] = r.func
        for name in depends_targets(mod):
            fn = mod.functions.get(name)
            if fn is not None:
                seen[id(fn)] = fn
        return list(seen.values())
    return _memo(mod, "_fr_handlers", build)  # type: ignore[return-value]


@dataclass
class Mounting:
    """How a module adds routes besides decorators: included routers, mounts, ``add_api_route``."""

    includes: list[Include] = field(default_factory=list)
    mounts: list[str | None] = field(default_factory=list)  # None: a path that is not a literal
    extra_paths: list[str] = field(default_factory=list)  # add_api_route("/x", ...)
    dynamic: bool = False  # add_api_route/add_route with a non-literal path


def mounting(mod: PythonModule) -> Mounting:
    def build() -> Mounting:
        out = Mounting()
        for node in mod.nodes:
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            attr = node.func.attr
            if attr == "include_router" and node.args:
                kw = keyword(node, "prefix")
                out.includes.append(Include(dotted(node.func.value) or "", mod.imports.qualify(node.args[0]) or "",
                                            "" if kw is None else const_str(kw.value), node.lineno, node.args[0]))
            elif attr == "mount":
                out.mounts.append(const_str(node.args[0]) if node.args else None)
            elif attr in ("add_api_route", "add_route"):
                path = const_str(node.args[0]) if node.args else None
                if path is None:
                    out.dynamic = True
                else:
                    out.extra_paths.append(path)
        return out
    return _memo(mod, "_fr_mounting", build)  # type: ignore[return-value]


def path_matches(route_path: str, url_path: str) -> bool:
    """``/items/{item_id}`` matches ``/items/{}`` and ``/items/42``."""
    a, b = route_path.rstrip("/").split("/"), url_path.rstrip("/").split("/")
    if len(a) != len(b):
        return bool(a) and a[-1].endswith(":path}") and len(b) >= len(a)
    return all(x == y or x[:1] == "{" or y[:1] == "{" for x, y in zip(a, b, strict=True))


def suffix_matches(route_path: str, path: str) -> bool:
    """``route_path`` matches the end of ``path`` (some unknown prefix stands before it)."""
    parts = path.rstrip("/").split("/")
    n = len(route_path.rstrip("/").split("/"))
    return any(path_matches(route_path, "/".join(parts[i:]) if i else path) for i in range(max(1, len(parts) - n + 1)))


# How to find the (file, variable) an included router names: (including file, its module, the
# router argument) -> (file, variable), or None when it cannot be placed
RouterLookup = Callable[[str, PythonModule, ast.expr], "tuple[str, str] | None"]


class AppRoutes:
    """The paths one app serves: each route's own path behind every prefix chain that reaches it
    (``APIRouter(prefix=)`` and nested ``include_router(prefix=)`` across files). ``known`` is
    False when we cannot see them all (dynamic paths, mounts or routers we cannot place)."""

    def __init__(self, modules: Iterable[tuple[str, PythonModule]], lookup: RouterLookup) -> None:
        self.routes: list[tuple[str, PythonModule, Route]] = []
        self.extra: list[str] = []
        self.mounts: list[str] = []
        self._apps: set[tuple[str, str]] = set()
        self._includes: dict[tuple[str, str], list[tuple[str, str, str]]] = {}
        self._modules: dict[str, PythonModule] = {}
        self.known = self._collect(list(modules), lookup)

    def _collect(self, modules: list[tuple[str, PythonModule]], lookup: RouterLookup) -> bool:
        has_app = False
        for path, mod in modules:
            self._modules[path] = mod
            has_app = has_app or has_fastapi_app(mod)
            self._apps |= {(path, v) for v in fastapi_vars(mod)}
            self.routes.extend((path, mod, r) for r in routes_of(mod))
            m = mounting(mod)
            self.extra.extend(m.extra_paths)
            if m.dynamic or None in m.mounts:
                return False
            self.mounts.extend(p for p in m.mounts if p is not None)
            for inc in m.includes:
                target = lookup(path, mod, inc.expr) if inc.expr is not None else None
                if inc.prefix is None or target is None:
                    return False
                self._includes.setdefault(target, []).append((path, inc.includer, inc.prefix))
        return has_app and bool(self.routes)

    def _prefixes(self, file: str, var: str, depth: int = 0) -> set[str] | None:
        """Every prefix the app puts in front of router ``var``'s own prefix: for each chain of
        ``include_router`` calls up to the app, each includer's own ``APIRouter(prefix=)`` and the
        ``prefix=`` of the include, outermost first."""
        if (file, var) in self._apps:
            return {""}
        includes = self._includes.get((file, var))
        if not includes or depth > 8:
            return None
        out: set[str] = set()
        for parent_file, parent_var, prefix in includes:
            above = self._prefixes(parent_file, parent_var, depth + 1)
            own = self._own_prefix(parent_file, parent_var)
            if above is None or own is None:
                return None
            out |= {a + own + prefix for a in above}
        return out

    def _own_prefix(self, file: str, var: str) -> str | None:
        """The ``APIRouter(prefix=)`` of an including router ("" for the app); None: not a literal."""
        mod = self._modules.get(file)
        return router_prefixes(mod).get(var, "") if mod is not None else None

    def full_paths(self, file: str, mod: PythonModule, route: Route) -> set[str] | None:
        """Every path the route is served at; None when a prefix in front of it is unknown."""
        own = route_path(mod, route)
        prefixes = self._prefixes(file, route.router)
        if own is None or prefixes is None:
            return None
        return {p + own for p in prefixes}

    def matching(self, path: str, methods: frozenset[str] = frozenset({"get", "api_route", "route", "head"})
                 ) -> list[tuple[str, Route]]:
        """(file, route) of the GET-able routes that serve ``path``."""
        out = []
        for file, mod, r in self.routes:
            own = route_path(mod, r)
            if own is None or r.method not in methods:
                continue
            full = self.full_paths(file, mod, r)
            if full is None:  # a router we cannot place: any prefix may stand before it
                if suffix_matches(own, path):
                    out.append((file, r))
            elif any(path_matches(p, path) for p in full):
                out.append((file, r))
        return out

    def get_paths(self) -> list[str]:
        """The full paths of the GET-able routes whose prefixes are known, in source order."""
        out: dict[str, None] = {}
        for file, mod, r in self.routes:
            if r.method in ("get", "api_route", "route"):
                out.update(dict.fromkeys(sorted(self.full_paths(file, mod, r) or ())))
        return list(out)

    def serves(self, path: str) -> bool:
        if self.matching(path) or any(path == m or path.startswith(m.rstrip("/") + "/") for m in self.mounts):
            return True
        return any(suffix_matches(e, path) for e in self.extra)
