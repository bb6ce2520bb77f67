"""Kubernetes probes joined with the FastAPI code they hit (via the workload's image build context)."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from dataclasses import dataclass

from reviewer.model import Category, Severity
from reviewer.rules.registry import Hit, RuleContext, Scope, rule
from reviewer.services import Service, ServiceModel, build_service_model, containers, path_matches
from reviewer.services_code import RouteFacts
from reviewer.sources.yaml_docs import YMap

_PROBES = ("livenessProbe", "readinessProbe", "startupProbe")


@dataclass(frozen=True)
class _Probe:
    kind: str
    path: str
    file: str
    line: int


def _service_probes(svc: Service) -> Iterator[_Probe]:
    """httpGet probes of the containers that run this service's image."""
    stems = {posixpath.basename(i.split("@")[0].rsplit(":", 1)[0]) for i in svc.images}
    for wl in svc.workloads:
        cs = list(containers(wl.spec))
        for c in cs:
            image = str(c.get("image") or "")
            if len(cs) > 1 and image not in svc.images and \
                    posixpath.basename(image.split("@")[0].rsplit(":", 1)[0]) not in stems:
                continue
            for kind in _PROBES:
                http = c.get(kind, {}).get("httpGet") if isinstance(c.get(kind), dict) else None
                if isinstance(http, YMap) and isinstance(http.get("path"), str):
                    yield _Probe(kind, http["path"].split("?", 1)[0], wl.path, http.line_of("path"))


class _RouteTable:
    """The routes a service's app serves, or ``known=False`` when we cannot see them all."""

    def __init__(self, model: ServiceModel, svc: Service) -> None:
        self.routes: list[RouteFacts] = []
        self.extra: list[str] = []
        self.mounts: list[str] = []
        prefixes = {""}
        self.known = False
        has_app = False
        for facts in svc.facts(model):
            has_app = has_app or facts.module.has_fastapi_app
            self.routes.extend(facts.routes)
            self.extra.extend(facts.extra_paths)
            if facts.dynamic_routes or None in facts.mounts:
                return
            self.mounts.extend(m for m in facts.mounts if m is not None)
            for router, prefix, _ in facts.include_routers:
                if prefix is None or not self._own_router(model, svc, facts.path, router):
                    return
                prefixes.add(prefix)
        self.prefixes = prefixes
        self.known = has_app and bool(self.routes)

    @staticmethod
    def _own_router(model: ServiceModel, svc: Service, path: str, router: str) -> bool:
        if "." not in router:
            return True  # a router variable of this module
        d = posixpath.dirname(path)
        while True:
            found = model.code.module_file(router, d)
            if found is not None:
                return model.owner_of(found[0] if not found[0].endswith("/") else found[0] + "x.py") is svc
            if not d:
                return False
            d = posixpath.dirname(d)

    def matching(self, path: str) -> list[RouteFacts]:
        out = []
        for r in self.routes:
            if r.path is None or r.method not in ("get", "api_route", "route", "head"):
                continue
            if any(path_matches(p1 + p2 + r.path, path) for p1 in self.prefixes for p2 in self.prefixes):
                out.append(r)
        return out

    def serves(self, path: str) -> bool:
        if self.matching(path) or any(path == m or path.startswith(m.rstrip("/") + "/") for m in self.mounts):
            return True
        return any(path_matches(p + e, path) for p in self.prefixes for e in self.extra)


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
