"""A service's probes and the routes its app serves, joined through the service model (the
workload's containers -> the service's code root -> its FastAPI app and routers)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from reviewer.project import Project
from reviewer.services.build import build_service_model
from reviewer.services.code import RouteFacts
from reviewer.services.model import Service, ServiceModel
from reviewer.sources.fastapi_routes import AppRoutes, Route
from reviewer.sources.k8s_objects import PROBES
from reviewer.sources.k8s_workloads import probe_handler
from reviewer.sources.modules import resolver
from reviewer.sources.python_ast import PythonModule
from reviewer.sources.yaml_docs import YMap


@dataclass(frozen=True)
class Probe:
    kind: str
    path: str
    file: str
    line: int  # the probe's ``path:``
    container: str = ""
    probe_line: int = 0  # the ``livenessProbe:`` key
    shared: bool = False  # liveness and readiness of this container run the same httpGet


def service_probes(svc: Service) -> Iterator[Probe]:
    """httpGet probes of the containers that run this service's image (not its sidecars)."""
    for placement in svc.workloads:
        for c in placement.main:
            live = probe_handler(c.data.get("livenessProbe"), c)
            shared = live is not None and live[0] == "http" and live == probe_handler(c.data.get("readinessProbe"), c)
            for kind in PROBES:
                probe = c.data.get(kind)
                http = probe.get("httpGet") if isinstance(probe, dict) else None
                if isinstance(http, YMap) and isinstance(http.get("path"), str):
                    yield Probe(kind, http["path"].split("?", 1)[0], placement.workload.path, http.line_of("path"),
                                c.name, c.data.line_of(kind), shared and kind != "startupProbe")


def app_routes(model: ServiceModel, svc: Service) -> AppRoutes:
    """The paths the service's app serves; routers in other services' code cannot be placed."""
    modules_of = resolver(model.code.project)

    def lookup(path: str, mod: PythonModule, expr: ast.expr) -> tuple[str, str] | None:
        found = modules_of.variable(path, mod, expr)
        return found if found is not None and model.owner_of(found[0]) is svc else None

    modules = [(f.path, f.module) for f in svc.facts(model)]
    return AppRoutes(modules, lookup)


def route_facts(model: ServiceModel, file: str, route: Route) -> RouteFacts | None:
    facts = model.code.get(file)
    return next((r for r in facts.routes if r.route is route), None) if facts is not None else None


def probes_known(project: Project, service_roots: tuple[str, ...], path: str) -> bool:
    """Whether the service owning ``path`` declares httpGet probes and serves routes we can all place:
    then the manifests say which route is liveness, and nobody needs to guess it from its name."""
    model = build_service_model(project, service_roots)
    svc = model.owner_of(path)
    if svc is None or not svc.workloads:
        return False

    def known() -> bool:
        return any(True for _ in service_probes(svc)) and app_routes(model, svc).known

    return bool(project.memo(f"probes-known:{','.join(service_roots)}:{svc.root}", known))
