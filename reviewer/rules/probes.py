"""Kubernetes probes joined with the FastAPI code they hit (via the workload's image build context)."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from dataclasses import dataclass

from reviewer.model import Category, Severity
from reviewer.rules.registry import Hit, RuleContext, Scope, rule
from reviewer.services.build import build_service_model
from reviewer.services.code import RouteFacts
from reviewer.services.model import Service, ServiceModel
from reviewer.sources.fastapi_routes import AppRoutes, Route
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


def _routes(model: ServiceModel, svc: Service) -> AppRoutes:
    """The paths the service's app serves; routers in other services' code cannot be placed."""
    def lookup(path: str, router: str) -> tuple[str, str] | None:
        d = posixpath.dirname(path)
        while True:
            found = model.code.module_file(router, d)
            if found is not None:
                file, rest = found
                if file.endswith("/") or not rest or "." in rest or model.owner_of(file) is not svc:
                    return None
                return file, rest
            if not d:
                return None
            d = posixpath.dirname(d)

    modules = [(f.path, f.module) for f in svc.facts(model)]
    return AppRoutes(modules, lookup)


def _route_facts(model: ServiceModel, file: str, route: Route) -> RouteFacts | None:
    facts = model.code.get(file)
    return next((r for r in facts.routes if r.route is route), None) if facts is not None else None


def _tables(ctx: RuleContext) -> Iterator[tuple[ServiceModel, Service, AppRoutes]]:
    model = build_service_model(ctx.project, ctx.service_roots)
    for svc in model.services:
        if svc.workloads and svc.root is not None and svc.files:
            yield model, svc, _routes(model, svc)


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
    for model, svc, table in _tables(ctx):
        if not table.known:
            continue
        for probe in _service_probes(svc):
            if probe.kind != "livenessProbe":
                continue
            matched = (_route_facts(model, file, route) for file, route in table.matching(probe.path))
            io_routes = [r for r in matched if r is not None and r.does_io]
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
    for _, svc, table in _tables(ctx):
        if not table.known:
            continue
        for probe in _service_probes(svc):
            if not table.serves(probe.path):
                yield Hit(probe.line, f"`{probe.path}` is not served by `{svc.name}` ({svc.root}/)", path=probe.file)
