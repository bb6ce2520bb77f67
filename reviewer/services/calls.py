"""The call graph between services: call edges, call targets, route lookups and cycles."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from reviewer.services.code import RouteFacts
from reviewer.services.endpoints import expand_vars, parse_http_url
from reviewer.services.routes import app_routes
from reviewer.sources.fastapi_routes import path_matches

if TYPE_CHECKING:
    from reviewer.services.model import OutboundUrl, Service, ServiceModel


def call_edges(model: ServiceModel) -> dict[tuple[str, str], list[tuple[str, int]]]:
    """(caller, callee) -> evidence lines: URLs and service addresses in the caller's environment
    (compose, ConfigMaps), URL literals in its code, and the HTTP calls its code makes, their
    ``${VAR}`` parts read from its environment or its settings classes' defaults."""
    edges: dict[tuple[str, str], list[tuple[str, int]]] = {}
    for caller, callee, path, line, _ in _calls(model):
        edges.setdefault((caller, callee), []).append((path, line))
    return edges


def call_protocols(model: ServiceModel) -> dict[tuple[str, str], str]:
    """(caller, callee) -> "gRPC", "HTTP", or "" when only a bare ``host:port`` says so."""
    found: dict[tuple[str, str], set[str]] = {}
    for caller, callee, _, _, protocol in _calls(model):
        found.setdefault((caller, callee), set()).add(protocol)
    return {edge: next((p for p in ("gRPC", "HTTP") if p in seen), "") for edge, seen in found.items()}


def _calls(model: ServiceModel) -> Iterator[tuple[str, str, str, int, str]]:
    for s in model.services:
        for url in s.urls:
            target = model.resolve_host(url.address or url.host)
            if target is not None and target is not s:
                yield s.name, target.name, url.path, url.line, _protocol(url, target)
        for facts in s.facts(model):
            for call in facts.calls:
                hop = resolve_call(model, s, call.template)
                if hop is not None:
                    yield s.name, hop[0].name, call.path, call.line, "HTTP"


def _protocol(url: OutboundUrl, target: Service) -> str:
    if url.url.startswith(("http://", "https://")):
        return "HTTP"
    if url.url.startswith(("grpc://", "dns:")) or "GRPC" in (url.var or "").upper():
        return "gRPC"
    return target.port_protocols.get(url.port, "") if url.port is not None else ""


def settings_of(model: ServiceModel, svc: Service) -> dict[str, str]:
    """What ``${VAR}`` means in ``svc``'s code: its environment, else its settings classes' defaults."""
    cached = model.settings.get(svc.name)
    if cached is None:
        cached = {}
        for var in svc.env:
            if var.value is not None:
                cached.setdefault(var.name, var.value)
        for facts in svc.facts(model):
            for name, value in facts.settings_defaults.items():
                cached.setdefault(name, value)
        model.settings[svc.name] = cached
    return cached


def resolve_call(model: ServiceModel, caller: Service, template: str) -> tuple[Service, str] | None:
    """The service (other than ``caller``) and URL path an outbound call template reaches."""
    url = parse_http_url(expand_vars(template, settings_of(model, caller)))
    if url is None:
        return None
    target = model.resolve_host(url[0])
    if target is None or target is caller:
        return None
    return target, url[2].split("?", 1)[0]


class RouteIndex:
    """A service's routes by the full path they are served at, bucketed by segment count and first
    segment, for call-path lookups."""

    def __init__(self, routes: Iterable[tuple[str, RouteFacts]]) -> None:
        self._buckets: dict[tuple[int, str], list[tuple[str, RouteFacts]]] = {}
        self._wild: list[tuple[str, RouteFacts]] = []
        for path, r in routes:
            parts = path.rstrip("/").split("/")
            first = parts[1] if len(parts) > 1 else ""
            if first[:1] == "{" or parts[-1].endswith(":path}"):
                self._wild.append((path, r))
            else:
                self._buckets.setdefault((len(parts), first), []).append((path, r))

    def matching(self, url_path: str) -> Iterator[tuple[str, RouteFacts]]:
        """(full path, route) of the routes that serve ``url_path``."""
        parts = url_path.rstrip("/").split("/")
        first = parts[1] if len(parts) > 1 else ""
        if first[:1] == "{":
            candidates = [r for (n, _), rs in self._buckets.items() if n == len(parts) for r in rs]
        else:
            candidates = self._buckets.get((len(parts), first), [])
        for path, r in [*candidates, *self._wild]:
            if path_matches(path, url_path):
                yield path, r


def route_index(model: ServiceModel, svc: Service) -> RouteIndex:
    """The service's routes at their full paths (``include_router`` and ``APIRouter`` prefixes
    followed); a route whose prefixes cannot all be read is indexed at its own path."""
    key = svc.name
    if key not in model.route_indexes:
        table = app_routes(model, svc)
        pairs = []
        for f in svc.facts(model):
            for r in f.routes:
                full = table.full_paths(f.path, f.module, r.route)
                pairs += [(p, r) for p in (full or ({r.path} if r.path is not None else set()))]
        model.route_indexes[key] = RouteIndex(pairs)
    return model.route_indexes[key]


def call_cycles(edges: dict[tuple[str, str], list[tuple[str, int]]]) -> list[list[str]]:
    """One simple cycle per strongly connected component of the call graph."""
    graph: dict[str, list[str]] = {}
    for a, b in sorted(edges):
        graph.setdefault(a, []).append(b)
        graph.setdefault(b, [])
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    comps: list[list[str]] = []

    def strong(v: str) -> None:  # Tarjan; service graphs are small, recursion depth is fine
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                comps.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            strong(v)
    out = []
    for comp in comps:
        members, start = set(comp), comp[0]
        paths = {start: [start]}
        queue = [start]
        while queue:
            v = queue.pop(0)
            for w in graph[v]:
                if w == start:
                    out.append(paths[v])
                    queue = []
                    break
                if w in members and w not in paths:
                    paths[w] = paths[v] + [w]
                    queue.append(w)
    return out
