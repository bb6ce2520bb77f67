"""Kubernetes probes and shutdown: readiness, liveness, probe handlers and ports, the grace period."""

from __future__ import annotations

import re
from collections.abc import Iterator

from reviewer.model import Category, Severity
from reviewer.project import SourceFile
from reviewer.rules.registry import Hit, RuleContext, Scope, Speaks, rule
from reviewer.services.build import build_service_model
from reviewer.services.code import RouteFacts
from reviewer.services.model import Service, ServiceModel
from reviewer.services.routes import app_routes, route_facts, service_probes
from reviewer.sources import k8s_fixes as fx
from reviewer.sources.fastapi_routes import AppRoutes
from reviewer.sources.helm import is_templated
from reviewer.sources.k8s_index import index_of
from reviewer.sources.k8s_objects import PROBES, as_map
from reviewer.sources.k8s_workloads import KINDS, self_serving_containers, service_list, serving_containers


@rule("k8s-missing-readiness-probe", kinds=KINDS, category=Category.RESILIENCE, severity=Severity.WARNING,
      equivalents=("no-readiness-probe", "pod-probes", "readinessProbeMissing", "CKV_K8S_9"))
def missing_readiness_probe(f: SourceFile, ctx: RuleContext) -> Iterator[Hit]:
    """Container that serves traffic has no readinessProbe

    Why: without a readiness probe the pod joins the Service's endpoints as soon as the process
    starts, before FastAPI has finished its lifespan startup (DB pool, caches), and stays there
    while it is overloaded or shutting down. Every rollout then serves a burst of 502s.

    Fix:
        containers:
          - name: api
            readinessProbe:
              httpGet:
                path: /readyz
                port: http
              periodSeconds: 5
              failureThreshold: 3
    """
    idx = index_of(ctx.project)
    for w in idx.workloads_in(f.path):
        services = idx.backing_services(w) if w.kind in ("Deployment", "StatefulSet") else []
        serving = ([(c, f"receives traffic from Service {service_list(services)}") for c in
                    serving_containers(w, services)] if services else
                   [(c, f"serves on {', '.join(ports)} (no Service in this repository selects it)")
                    for c, ports in self_serving_containers(w)])
        for c, why in serving:
            if "readinessProbe" not in c.data and not w.gaps.hides(c.data, "readinessProbe"):
                yield Hit(c.line, f"container `{c.name}` {why}", **fx.probe(c, "readinessProbe", "/readyz"))


@rule("k8s-missing-liveness-probe", kinds=KINDS, category=Category.RESILIENCE, severity=Severity.INFO,
      equivalents=("no-liveness-probe", "livenessProbeMissing", "CKV_K8S_8"), speaks=Speaks.AUDIT)
def missing_liveness_probe(f: SourceFile, ctx: RuleContext) -> Iterator[Hit]:
    """Long-running container has no livenessProbe

    Why: a worker that deadlocks (a blocked event loop, a stuck thread pool) keeps its pod
    "Running" forever; without a liveness probe the kubelet never restarts it. Keep the probe
    cheap and local: it must not call the database or other services.

    Fix:
        livenessProbe:
          httpGet:
            path: /livez
            port: http
          periodSeconds: 10
          failureThreshold: 3
    """
    for w in index_of(ctx.project).workloads_in(f.path):
        if w.job_like:
            continue
        for c in w.containers:
            if not c.is_patch and "livenessProbe" not in c.data and not w.gaps.hides(c.data, "livenessProbe"):
                yield Hit(c.line, f"container `{c.name}` of {w.title}", **fx.probe(c, "livenessProbe", "/livez"))


@rule("k8s-identical-liveness-readiness", category=Category.RESILIENCE, severity=Severity.WARNING,
      scope=Scope.PROJECT, equivalents=("pod-probes-identical",))
def identical_liveness_readiness(ctx: RuleContext) -> Iterator[Hit]:
    """Liveness and readiness probes call the same handler, and it checks a dependency

    Why: readiness answers "should I get traffic?" and may fail while a dependency is down;
    liveness answers "am I wedged?" and a failure restarts the container. When both call one
    handler that checks the database or another service, a database blip restarts every replica
    at once. (One shallow handler for both is fine; so are identical exec, tcp and grpc probes.)

    Fix:
        livenessProbe:
          httpGet: {path: /livez, port: http}   # process is alive, no I/O
        readinessProbe:
          httpGet: {path: /readyz, port: http}  # may check the DB pool
    """
    for model, svc, table in _tables(ctx):
        if not table.known:
            continue
        for probe in service_probes(svc):
            if probe.kind != "livenessProbe" or not probe.shared:
                continue
            r = _io_route(model, table, probe.path)
            if r is not None:
                yield Hit(probe.probe_line, f"both probes of `{probe.container}` call `{probe.path}`, whose handler "
                          f"`{r.handler}()` ({r.file}:{r.line}) does I/O", path=probe.file, also=((r.file, r.line),))


def _io_route(model: ServiceModel, table: AppRoutes, path: str) -> RouteFacts | None:
    """The first route serving ``path`` whose handler does database or outbound HTTP I/O."""
    matched = (route_facts(model, file, route) for file, route in table.matching(path))
    return next((r for r in matched if r is not None and r.does_io), None)


@rule("k8s-probe-port-not-exposed", kinds=KINDS, category=Category.RESILIENCE, severity=Severity.ERROR,
      equivalents=("readiness-port", "liveness-port", "startup-port"))
def probe_port_not_exposed(f: SourceFile, ctx: RuleContext) -> Iterator[Hit]:
    """Probe port is not one of the container's ports

    Why: a named probe port that the container does not declare cannot be resolved, so the probe
    fails on every attempt; a number that differs from every declared port usually is a typo
    (8080 vs 8000). Either way the pod never becomes ready or is restarted in a loop.

    Fix:
        ports:
          - name: http
            containerPort: 8000
        readinessProbe:
          httpGet:
            path: /readyz
            port: http   # the name (or number) declared above
    """
    for w in index_of(ctx.project).workloads_in(f.path):
        for c in w.all_containers:
            declared = None if w.gaps.hides(c.data, "ports") or c.is_patch else c.port_names_and_numbers()
            if declared is None:
                continue
            names, numbers = declared
            for probe_key in PROBES:
                probe = as_map(c.data.get(probe_key))
                for kind in ("httpGet", "tcpSocket", "grpc"):
                    action = as_map(probe.get(kind)) if probe is not None else None
                    if action is None or "port" not in action or is_templated(action["port"]):
                        continue
                    port = action["port"]
                    number = port if isinstance(port, int) else int(port) if str(port).isdigit() else None
                    if number is None and str(port) not in names:
                        yield Hit(action.line_of("port"), f"{probe_key} of `{c.name}` uses port name `{port}`, "
                                  f"declared: {_declared(names, numbers)}",
                                  **fx.probe_port(c, probe_key, kind, port, declared))
                    elif number is not None and numbers and number not in numbers:
                        yield Hit(action.line_of("port"), f"{probe_key} of `{c.name}` uses port {number}, "
                                  f"declared: {_declared(names, numbers)}",
                                  **fx.probe_port(c, probe_key, kind, number, declared))


def _declared(names: set[str], numbers: set[int]) -> str:
    parts = [*sorted(names), *map(str, sorted(numbers))]
    return ", ".join(parts) if parts else "none"


@rule("k8s-termination-grace-too-short", kinds=KINDS, category=Category.RESILIENCE, severity=Severity.WARNING)
def termination_grace_too_short(f: SourceFile, ctx: RuleContext) -> Iterator[Hit]:
    """Pod that serves traffic gets almost no time to shut down

    Why: on SIGTERM uvicorn stops accepting connections and finishes in-flight requests, while
    endpoints take a few seconds to drop the pod. With a grace period under 5 s (0 means an
    immediate SIGKILL) requests in flight are cut off on every rollout and scale-down.

    Fix:
        spec:
          terminationGracePeriodSeconds: 30
          containers:
            - name: api
              lifecycle:
                preStop:
                  exec: {command: ["sleep", "5"]}
    """
    idx = index_of(ctx.project)
    for w in idx.workloads_in(f.path):
        grace = w.pod_spec.get("terminationGracePeriodSeconds") if w.pod_spec is not None else None
        if not isinstance(grace, int) or isinstance(grace, bool) or grace >= 5:
            continue
        services = idx.backing_services(w)
        ports = [p for _, found in self_serving_containers(w) for p in found] if not services else []
        if services or ports:
            sev = Severity.ERROR if grace <= 0 else None
            line = w.pod_spec.line_of("terminationGracePeriodSeconds")  # type: ignore[union-attr]
            serving = f"behind Service {service_list(services)}" if services else f"serving on {', '.join(ports)}"
            yield Hit(line, f"{grace} s for pods {serving}", severity=sev, **fx.grace_period(f, w, line))


def _tables(ctx: RuleContext) -> Iterator[tuple[ServiceModel, Service, AppRoutes]]:
    model = build_service_model(ctx.project, ctx.service_roots)
    for svc in model.services:
        if svc.workloads and svc.root is not None and svc.files:
            yield model, svc, app_routes(model, svc)


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
        for probe in service_probes(svc):
            if probe.kind != "livenessProbe" or probe.shared:  # shared with readiness: the rule above
                continue
            r = _io_route(model, table, probe.path)
            if r is not None:
                yield Hit(probe.line, f"`{probe.path}` runs `{r.handler}()` ({r.file}:{r.line}), which does I/O",
                          path=probe.file, also=((r.file, r.line),),
                          **fx.liveness_without_io(probe.path, r.handler, f"{r.file}:{r.line}"))
    yield from _named_for_readiness(ctx)


# a path named for readiness or a dependency check: it fails when a dependency does
_READINESS_PATH = re.compile(r"(?i)/(readyz|ready|readiness)/?$|/health/(ready|readiness|deps|dependencies|db|"
                             r"database|deep|full)/?$|/deep-?health/?$")


def _named_for_readiness(ctx: RuleContext) -> Iterator[Hit]:
    """Liveness probes of services whose code is not in the repository, judged by the path's name."""
    model = build_service_model(ctx.project, ctx.service_roots)
    for svc in model.services:
        if not svc.workloads or (svc.root is not None and svc.files):
            continue  # the code is here: the handler is followed instead of its name
        for probe in service_probes(svc):
            if probe.kind == "livenessProbe" and _READINESS_PATH.search(probe.path):
                yield Hit(probe.line, f"liveness probe of `{probe.container}` calls `{probe.path}`, a readiness "
                                      "check by its name: when a dependency is down every replica restarts",
                          path=probe.file,
                          fix=f"livenessProbe:\n  tcpSocket: {{port: http}}   # or the app's shallow /livez, no I/O\n"
                              f"readinessProbe:\n  httpGet: {{path: {probe.path}, port: http}}   # the dependency "
                              "checks belong here")


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
        for probe in service_probes(svc):
            if not table.serves(probe.path):
                yield Hit(probe.line, f"`{probe.path}` is not served by `{svc.name}` ({svc.root}/)", path=probe.file,
                          **fx.served_path(probe.kind, probe.path, table.get_paths(), svc.name))
