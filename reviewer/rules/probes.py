"""Kubernetes probes joined with the FastAPI code they hit (via the workload's image build context)."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from dataclasses import dataclass

from reviewer.model import Category, Severity
from reviewer.rules.registry import Hit, RuleContext, Scope, rule
from reviewer.services.build import build_service_model
from reviewer.services.calls import path_matches
from reviewer.services.code import RouteFacts
from reviewer.services.model import Service, ServiceModel
from reviewer.sources.yaml_docs import YMap

_PROBES = ("livenessProbe", "readinessProbe", "startupProbe")


@dataclass(frozen=True)
class _Probe:
    kind: str
    path: str
    file: str
    line: int


def _service_probes(svc: Service) -> Iterator[_Probe]:
    """httpGet probes of the containers that run this service's image (not its sidecars)."""
    for placement in svc.workloads:
        for c in placement.main:
            for kind in _PROBES:
                probe = c.data.get(kind)
                http = probe.get("httpGet") if isinstance(probe, dict) else None
                if isinstance(http, YMap) and isinstance(http.get("path"), str):
                    yield _Probe(kind, http["path"].split("?", 1)[0], placement.workload.path, http.line_of("path"))


class _RouteTable:
    """The routes a service's app serves, with the prefixes ``include_router`` puts in front of
    each router; ``known`` is False when we cannot see them all (dynamic paths, foreign routers)."""

    def __init__(self, model: ServiceModel, svc: Service) -> None:
        self.model, self.svc = model, svc
        self.routes: list[RouteFacts] = []
        self.extra: list[str] = []
        self.mounts: list[str] = []
        self.includes: dict[tuple[str, str], list[tuple[str, str, str]]] = {}
        self.known = self._collect()

    def _collect(self) -> bool:
        has_app = False
        for facts in self.svc.facts(self.model):
            has_app = has_app or facts.module.has_fastapi_app
            self.routes.extend(facts.routes)
            self.extra.extend(facts.extra_paths)
            if facts.dynamic_routes or None in facts.mounts:
                return False
            self.mounts.extend(m for m in facts.mounts if m is not None)
            for includer, router, prefix in facts.include_routers:
                target = self._resolve(facts.path, router)
                if prefix is None or target is None:
                    return False
                self.includes.setdefault(target, []).append((facts.path, includer, prefix))
        return has_app and bool(self.routes)

    def _resolve(self, path: str, router: str) -> tuple[str, str] | None:
        """(file, variable) of an included router, when it is this service's own code."""
        if "." not in router:
            return path, router
        d = posixpath.dirname(path)
        while True:
            found = self.model.code.module_file(router, d)
            if found is not None:
                file, rest = found
                if file.endswith("/") or not rest or "." in rest or self.model.owner_of(file) is not self.svc:
                    return None
                return file, rest
            if not d:
                return None
            d = posixpath.dirname(d)

    def _prefixes(self, file: str, var: str, depth: int = 0) -> set[str] | None:
        facts = self.model.code.get(file)
        if facts is not None and var in facts.fastapi_vars:
            return {""}
        includes = self.includes.get((file, var))
        if not includes or depth > 4:
            return None
        out: set[str] = set()
        for parent_file, parent_var, prefix in includes:
            above = self._prefixes(parent_file, parent_var, depth + 1)
            if above is None:
                return None
            out |= {a + prefix for a in above}
        return out

    def matching(self, path: str) -> list[RouteFacts]:
        out = []
        for r in self.routes:
            if r.path is None or r.method not in ("get", "api_route", "route", "head"):
                continue
            prefixes = self._prefixes(r.file, r.router)
            if prefixes is None:  # a router we cannot place: any prefix may stand before it
                if _suffix_matches(r.path, path):
                    out.append(r)
            elif any(path_matches(p + r.path, path) for p in prefixes):
                out.append(r)
        return out

    def serves(self, path: str) -> bool:
        if self.matching(path) or any(path == m or path.startswith(m.rstrip("/") + "/") for m in self.mounts):
            return True
        return any(_suffix_matches(e, path) for e in self.extra)


def _suffix_matches(route_path: str, path: str) -> bool:
    parts = path.rstrip("/").split("/")
    n = len(route_path.rstrip("/").split("/"))
    return any(path_matches(route_path, "/".join(parts[i:]) if i else path) for i in range(max(1, len(parts) - n + 1)))


def _tables(ctx: RuleContext) -> Iterator[tuple[Service, _RouteTable]]:
    model = build_service_model(ctx.project, ctx.service_roots)
    for svc in model.services:
        if svc.workloads and svc.root is not None and svc.files:
            yield svc, _RouteTable(model, svc)


@rule("k8s-liveness-probe-hits-dependencies", category=Category.RESILIENCE, severity=Severity.WARNING,
      scope=Scope.PROJECT)
def liveness_hits_dependencies(ctx: RuleContext) -> Iterator[Hit]:
    """Liveness probe runs a handler that calls the database or another service

    Why: liveness failures restart the pod. When the liveness endpoint checks the database, a
    database blip makes Kubernetes restart every replica at once, turning a short outage into a
    long one. Liveness should only say "this process is not stuck"; put dependency checks in the
    readiness probe, which takes the pod out of the Service without restarting it.

    Fix:
        @app.get("/livez")
        async def livez() -> dict[str, str]:
            return {"status": "alive"}  # no I/O: the event loop answered

        # deployment.yaml
        livenessProbe:
          httpGet: {path: /livez, port: http}
        readinessProbe:
          httpGet: {path: /readyz, port: http}   # this one may check the database
    """
    for svc, table in _tables(ctx):
        if not table.known:
            continue
        for probe in _service_probes(svc):
            if probe.kind != "livenessProbe":
                continue
            io_routes = [r for r in table.matching(probe.path) if r.does_io]
            if io_routes:
                r = io_routes[0]
                yield Hit(probe.line, f"`{probe.path}` runs `{r.handler}()` ({r.file}:{r.line}), which does I/O",
                          path=probe.file, also=((r.file, r.line),))


@rule("k8s-probe-path-unknown", category=Category.RESILIENCE, severity=Severity.WARNING, scope=Scope.PROJECT)
def probe_path_unknown(ctx: RuleContext) -> Iterator[Hit]:
    """Probe path is not a route of the service's FastAPI app

    Why: the probe gets 404, so the readiness probe never passes (the pod receives no traffic)
    or the liveness probe restarts a healthy pod forever. Usually the route was renamed or moved
    under a router prefix and the manifest was not updated.

    Fix:
        @app.get("/readyz")
        async def readyz(db: AsyncSession = Depends(get_db)) -> dict[str, str]:
            await db.execute(text("SELECT 1"))
            return {"status": "ready"}

        readinessProbe:
          httpGet: {path: /readyz, port: http}
    """
    for svc, table in _tables(ctx):
        if not table.known:
            continue
        for probe in _service_probes(svc):
            if not table.serves(probe.path):
                yield Hit(probe.line, f"`{probe.path}` is not served by `{svc.name}` ({svc.root}/)", path=probe.file)
