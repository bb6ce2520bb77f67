"""The service map as a value: nodes (services, datastores, brokers, caches) and edges (database
use, broker or cache use, synchronous calls), built once from the service model and drawn as
Mermaid (render/mermaid.py), Graphviz DOT or JSON from the same value.

Edges a boundary rule objects to (a database shared by services, a synchronous call cycle) carry
``problem=True``, so every drawing can show them.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field

from reviewer.services.calls import call_cycles, call_edges, call_protocols
from reviewer.services.model import Datastore, ServiceModel, canonical_host
from reviewer.sources.images import image_name

_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_]")
# Caches by image: Redis and its forks serve queues too, but a map that calls every Redis a broker
# misleads more often than it helps; the edge to it stays solid like any other store.
CACHE_IMAGES = ("redis", "valkey", "keydb", "memcached", "dragonfly", "dragonflydb", "varnish")


@dataclass(frozen=True)
class Node:
    id: str
    label: str
    kind: str  # service | datastore | broker | cache
    detail: str = ""
    key: tuple[str, str] = ("", "")  # ("svc", name) | ("db", label) | ("store", host): the same in any graph
    where: tuple[str, str] | None = None  # a store's (host, database or "*"): one server however it is named


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    kind: str  # database | broker | cache | datastore | call | route
    problem: bool = False
    protocol: str = ""  # of a call: gRPC, HTTP, or "" when a bare host:port is all we know


@dataclass
class ServiceGraph:
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)

    def to_json(self) -> str:
        nodes = [{"id": n.id, "label": n.label, "kind": n.kind, "detail": n.detail} for n in self.nodes]
        return json.dumps({"nodes": nodes, "edges": [asdict(e) for e in self.edges]}, indent=2) + "\n"


class NodeIds:
    """Unique, Mermaid- and DOT-safe node ids, stable for one (kind, name)."""

    def __init__(self) -> None:
        self._ids: dict[tuple[str, str], str] = {}
        self._used: set[str] = set()

    def __call__(self, kind: str, name: str) -> str:
        key = (kind, name)
        if key not in self._ids:
            base = re.sub("_+", "_", f"{kind}_{_ID_UNSAFE.sub('_', name)}").strip("_") or kind
            node_id, n = base, 2
            while node_id in self._used:
                node_id, n = f"{base}_{n}", n + 1
            self._used.add(node_id)
            self._ids[key] = node_id
        return self._ids[key]


def mentions_host(value: str, host: str) -> bool:
    return re.search(rf"(^|[/@,\s=]){re.escape(host)}(:\d+)?([/,\s?]|$)", value) is not None


def store_kind(d: Datastore) -> str:
    name = image_name(d.image)
    if any(name == c or name.startswith(c + "-") for c in CACHE_IMAGES):
        return "cache"
    return "broker" if d.is_broker else "datastore"


def build_graph(model: ServiceModel) -> ServiceGraph:
    ids = NodeIds()
    graph = ServiceGraph()
    db_users: dict[tuple, set[str]] = {}
    db_label: dict[tuple, str] = {}
    db_where: dict[tuple, tuple[str, str]] = {}
    for s in model.services:
        for d in s.databases:
            db_users.setdefault(d.key, set()).add(s.name)
            db_label[d.key] = d.label
            db_where[d.key] = (canonical_host(d.host), d.database or "*")
    db_hosts = {canonical_host(str(key[0])) for key in db_users}
    # a service with no code of ours that is the database itself (compose `db: {image: postgres}`) is
    # drawn once, as the database the others connect to
    services = sorted((s for s in model.services
                       if not ((s.third_party or not s.root) and canonical_host(s.name) in db_hosts)),
                      key=lambda s: s.name)
    drawn = {s.name for s in services}
    for s in services:
        detail = f"{s.root}/" if s.root else ", ".join(sorted(s.origins))
        graph.nodes.append(Node(ids("svc", s.name), s.name, "service", detail, ("svc", s.name)))

    store_nodes: dict[str, tuple[str, str]] = {}  # host -> (node id, edge kind)
    for key in sorted(db_users, key=str):
        node = ids("db", db_label[key])
        graph.nodes.append(Node(node, db_label[key], "datastore", key=("db", db_label[key]), where=db_where[key]))
        store_nodes.setdefault(canonical_host(str(key[0])), (node, "database"))
        shared = len({n for n in db_users[key] if not is_third_party(model, n)}) > 1
        graph.edges += [Edge(ids("svc", name), node, "database", shared) for name in sorted(db_users[key])
                        if name in drawn]

    for d in sorted(model.datastores, key=lambda d: d.name):
        host = canonical_host(d.name)
        if host in store_nodes:
            continue
        kind = store_kind(d)
        store_nodes[host] = (ids("store", host), kind)
        graph.nodes.append(Node(ids("store", host), d.name, kind, d.image, ("store", host), (host, "*")))
        graph.edges += [Edge(ids("svc", s.name), ids("store", host), kind) for s in services
                        if any(v.value and mentions_host(v.value, host) for v in s.env)]
    # a tool with no config of ours that names the store (adminer, a backup job) still starts after it;
    # where a DSN or URL already drew the edge, the dedupe below keeps that one
    graph.edges += [Edge(ids("svc", s.name), *store_nodes[canonical_host(dep)]) for s in services
                    for dep in sorted(s.depends_on) if canonical_host(dep) in store_nodes]

    calls = call_edges(model)
    protocols = call_protocols(model)
    in_cycle = {(a, b) for cycle in call_cycles(calls) for a, b in zip(cycle, cycle[1:] + cycle[:1], strict=True)}
    graph.edges += [Edge(ids("svc", a), ids("svc", b), "call", (a, b) in in_cycle, protocols.get((a, b), ""))
                    for a, b in sorted(calls) if a in drawn and b in drawn]
    graph.edges += [Edge(ids("svc", p.name), ids("svc", s.name), "route") for p in services if p.proxy
                    for s in services if p.proxy in s.routed_by and s is not p]
    seen: set[tuple[str, str, str]] = set()
    unique = []
    for e in graph.edges:
        if (e.source, e.target, e.kind) not in seen:
            seen.add((e.source, e.target, e.kind))
            unique.append(e)
    graph.edges = unique
    return graph


def is_third_party(model: ServiceModel, name: str) -> bool:
    s = model.named(name)
    return s is None or s.third_party


def _dot_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")


_DOT_SHAPE = {"service": "box", "datastore": "cylinder", "broker": "hexagon", "cache": "component"}


def render_dot(graph: ServiceGraph) -> str:
    lines = ["digraph services {", "  rankdir=LR;", '  node [fontname="Helvetica"];']
    for n in graph.nodes:
        label = _dot_text(n.label) + (f"\\n{_dot_text(n.detail)}" if n.detail and n.kind == "service" else "")
        lines.append(f'  {n.id} [label="{label}", shape={_DOT_SHAPE[n.kind]}];')
    for e in graph.edges:
        label = e.protocol or "call" if e.kind == "call" else "routes" if e.kind == "route" else ""
        attrs = [f'label="{label}"'] if label else []
        attrs += ["style=dashed"] if e.kind == "broker" else []
        attrs += ['color="#d62728"', "penwidth=3"] if e.problem else []
        lines.append(f"  {e.source} -> {e.target}" + (f" [{', '.join(attrs)}]" if attrs else "") + ";")
    return "\n".join([*lines, "}"]) + "\n"
