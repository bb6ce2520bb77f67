"""Authentication left off a route that every sibling route of its router requires."""

from __future__ import annotations

from collections.abc import Iterator
from functools import reduce

from reviewer.classify import FileKind, is_test_path
from reviewer.model import Category, Severity
from reviewer.project import Project, SourceFile
from reviewer.rules.registry import Hit, RuleContext, rule
from reviewer.sources.fastapi_routes import Route
from reviewer.sources.python_ast import PythonModule
from reviewer.sources.route_auth import (
    Guards,
    checks_in_body,
    dependency_names,
    exempt,
    guards,
    is_auth,
    may_authenticate,
    router_routes,
    spelling,
)

MIN_SIBLINGS = 3  # fewer agreeing siblings do not make a convention


def _guards(project: Project) -> Guards:
    """Router- and app-level dependencies of the whole tree (read once per run, and only when a
    route is about to be flagged: most reviews never get here)."""
    def build() -> Guards:
        mods = []
        for path in sorted(project.python_paths()):
            f = project.get(path)
            if f is not None and "dependencies" in f.text and not is_test_path(path) and (mod := f.python):
                mods.append(mod)
        return guards(mods)
    return project.memo("route_auth_guards", build)  # type: ignore[return-value]


def _unguarded(mod: PythonModule, routes: list[Route]) -> Iterator[tuple[Route, str, list[Route]]]:
    """(route, the auth dependency all its siblings share, the siblings) for each route without one."""
    judged = [r for r in routes if not exempt(r)]
    auth = {id(r): {d for d in dependency_names(mod, r) if is_auth(d)} for r in judged}
    for r in judged:
        if auth[id(r)]:
            continue
        siblings = [s for s in judged if s is not r]
        if len(siblings) < MIN_SIBLINGS or any(not auth[id(s)] for s in siblings):
            continue
        common = reduce(set.__and__, (auth[id(s)] for s in siblings))
        if not common:
            continue  # the siblings disagree on how callers are checked
        if any(may_authenticate(d) for d in dependency_names(mod, r)) or checks_in_body(r.func):
            continue
        yield r, sorted(common)[0], siblings


@rule("fastapi-route-missing-auth", kinds={FileKind.PYTHON}, category=Category.SECURITY, severity=Severity.WARNING)
def route_missing_auth(f: SourceFile, ctx: RuleContext) -> Iterator[Hit]:
    """Route lacks the auth dependency every other route of its router has

    Why: when each route of a router declares the same authentication dependency
    (`current_user: CurrentUser`, `Depends(verify_token)`), the one route that leaves it out is
    open to anyone who can reach the service, and nothing fails: the tests call it with a token
    anyway. This is how internal data leaks through "just one more endpoint". Routes named for
    health, login, sign-up, tokens or webhooks, routers whose dependency sits on the router, an
    `include_router(...)` or the app, and routers whose routes disagree are not judged.

    Fix:
        @router.get("/{order_id}/invoice")
        async def get_invoice(order_id: int, current_user: CurrentUser) -> Invoice:
            ...
        # or once for the whole router:
        router = APIRouter(prefix="/orders", dependencies=[Depends(get_current_user)])
    """
    mod = f.python
    if mod is None or is_test_path(f.path):
        return
    for router, routes in router_routes(mod).items():
        if len(routes) <= MIN_SIBLINGS:
            continue
        found = list(_unguarded(mod, routes))
        if not found or _guards(ctx.project).covers(mod, router):
            continue
        for route, dep, siblings in found:
            how = spelling(mod, siblings[0], dep)
            once = (f", or once for every route: `APIRouter(..., dependencies=[Depends({dep})])`"
                    if dep[:1].islower() else "")
            yield Hit(route.line, f"`{route.func.name}` ({route.method.upper()} {route.path or '?'}) has no auth "
                                  f"dependency, while the other {len(siblings)} routes of `{router}` require `{dep}`",
                      fix=f"declare it as `{siblings[0].func.name}` does: `{how}`{once}. If the route is public on "
                          "purpose, name it so or add `# arch-review: ignore[fastapi-route-missing-auth] public`")
