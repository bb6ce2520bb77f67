"""The change a PR makes to the service graph, drawn: the touched part of the map as a Mermaid
flowchart (added nodes and edges green, removed ones red and dashed) and one sentence of what
changed ("`billing` now calls `orders` synchronously and connects to `orders-db`"). Nothing when
the graph did not change.

    service_change(base model, head model) -> Drawn | None
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from reviewer.render.mermaid import mermaid_label
from reviewer.render.service_graph import NodeIds, build_graph
from reviewer.services.model import ServiceModel

Node = tuple[str, str]  # (kind, name): ("svc", "orders") | ("db", "orders-db:5432/orders") | ("store", "kafka")
Edge = tuple[Node, str, Node]  # (from, "http" | "db" | "broker" | "route", to)
_ADDED_NODE = "fill:#e6f6e6,stroke:#2ca02c,stroke-width:3px"
_REMOVED_NODE = "fill:#fdecec,stroke:#d62728,stroke-dasharray:4 3"
_ADDED_EDGE = "stroke:#2ca02c,stroke-width:3px"
_REMOVED_EDGE = "stroke:#d62728,stroke-dasharray:4 3"
MAX_NODES = 30  # a PR that rewires more than this gets the sentence and a pointer to the audit's map


@dataclass(frozen=True)
class Graph:
    nodes: dict[Node, str]  # node -> shape: service | datastore | broker | cache
    edges: frozenset[Edge]
    where: dict[Node, tuple[str, str]]  # a datastore node -> (host, database or "*" when unknown)
    protocols: dict[tuple[Node, Node], str]  # a call's gRPC/HTTP label ("" unknown): drawn, never compared


def _same(a: Node, b: Node, ga: Graph, gb: Graph) -> bool:
    """One node, however it was read: `db` in an env var and `db:5432/app` in a DSN are one server."""
    if a == b:
        return True
    wa, wb = ga.where.get(a), gb.where.get(b)
    return wa is not None and wb is not None and wa[0] == wb[0] and "*" in (wa[1], wb[1])


def _has_node(node: Node, g: Graph, other: Graph) -> bool:
    return any(_same(node, n, g, other) for n in other.nodes)


def _has_edge(edge: Edge, g: Graph, other: Graph) -> bool:
    return any(edge[1] == e[1] and _same(edge[0], e[0], g, other) and _same(edge[2], e[2], g, other)
               for e in other.edges)


@dataclass(frozen=True)
class Drawn:
    sentence: str
    mermaid: str
    key: str  # what changed, hashed: a rerun does not draw the same change twice

    @property
    def marker(self) -> str:
        return f"<!-- arch-review:graph={self.key} -->"

    def lines(self) -> list[str]:
        chart = ["", "```mermaid", *self.mermaid.rstrip("\n").splitlines(), "```"] if self.mermaid else []
        return ["", "**Service map change.** " + self.sentence, *chart, "", self.marker]


_EDGE_KIND = {"call": "http", "database": "db", "datastore": "db", "cache": "db", "broker": "broker",
              "route": "route"}


def graph_of(model: ServiceModel) -> Graph:
    """The audit's map (render/service_graph.build_graph) keyed by what stays the same across two
    versions: node keys, not drawing ids."""
    g = build_graph(model)
    by_id = {n.id: n for n in g.nodes}
    edges = {(by_id[e.source].key, _EDGE_KIND[e.kind], by_id[e.target].key) for e in g.edges}
    protocols = {(by_id[e.source].key, by_id[e.target].key): e.protocol for e in g.edges if e.kind == "call"}
    return Graph({n.key: n.kind for n in g.nodes}, frozenset(edges), {n.key: n.where for n in g.nodes if n.where},
                 protocols)


def service_change(base: ServiceModel, head: ServiceModel) -> Drawn | None:
    old, new = graph_of(base), graph_of(head)
    added_nodes = {n for n in new.nodes if not _has_node(n, new, old) and (
        n[0] == "svc" or any(n in (e[0], e[2]) for e in new.edges))}
    removed_nodes = {n for n in old.nodes if not _has_node(n, old, new) and (
        n[0] == "svc" or any(n in (e[0], e[2]) for e in old.edges))}
    added = {e for e in new.edges if not _has_edge(e, new, old)}
    removed = {e for e in old.edges if not _has_edge(e, old, new)}
    if not (added or removed or added_nodes or removed_nodes):
        return None
    key = hashlib.sha256(repr(sorted(map(repr, [*added, *removed, *added_nodes, *removed_nodes]))).encode())
    return Drawn(_sentence(added, removed, added_nodes, removed_nodes),
                 _chart(old, new, added, removed, added_nodes, removed_nodes), key.hexdigest()[:12])


def _name(node: Node) -> str:
    return f"`{node[1]}`"


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _sentence(added: set[Edge], removed: set[Edge], added_nodes: set[Node], removed_nodes: set[Node]) -> str:
    clauses: list[str] = []
    for node in sorted(n for n in added_nodes if n[0] == "svc"):
        if not any(e[0] == node for e in added):
            clauses.append(f"{_name(node)} is a new service")
    for src in sorted({e[0] for e in added | removed} - removed_nodes):
        parts = []
        for kind, verb, tail in (("http", "now calls", " synchronously"), ("db", "connects to", ""),
                                 ("broker", "uses", ""), ("route", "routes to", "")):
            dst = sorted(_name(e[2]) for e in added if e[0] == src and e[1] == kind)
            if dst:
                parts.append(f"{verb} {_and(dst)}{tail}")
        for kind, verb in (("http", "no longer calls"), ("db", "no longer connects to"), ("broker", "no longer uses"),
                           ("route", "no longer routes to")):
            dst = sorted(_name(e[2]) for e in removed if e[0] == src and e[1] == kind)
            if dst:
                parts.append(f"{verb} {_and(dst)}")
        if parts:
            new = " (a new service)" if src in added_nodes else ""
            clauses.append(f"{_name(src)}{new} {_and(parts)}")
    for node in sorted(n for n in removed_nodes if n[0] == "svc"):
        clauses.append(f"{_name(node)} is gone from the map")
    if not clauses:
        clauses = [f"{_and(sorted(map(_name, added_nodes | removed_nodes)))} changed"]
    return "; ".join(clauses) + "."


def _chart(old: Graph, new: Graph, added: set[Edge], removed: set[Edge], added_nodes: set[Node],
           removed_nodes: set[Node]) -> str:
    touched = set(added_nodes | removed_nodes)
    for e in added | removed:
        touched |= {e[0], e[2]}
    if len(touched) > MAX_NODES:
        return ""
    ids = NodeIds()
    shapes = {**old.nodes, **new.nodes}
    lines = ["flowchart LR"]
    for node in sorted(touched):
        label, node_id = mermaid_label(node[1]), ids(*node)
        shape = {"service": f'["{label}"]', "broker": f'{{{{"{label}"}}}}', "cache": f'(["{label}"])'}.get(
            shapes[node], f'[("{label}")]')
        mark = ":::added" if node in added_nodes else ":::removed" if node in removed_nodes else ""
        lines.append(f"  {node_id}{shape}{mark}")
    protocols = {**old.protocols, **new.protocols}
    styles: dict[str, list[int]] = {_ADDED_EDGE: [], _REMOVED_EDGE: []}
    shown = sorted(e for e in new.edges | removed if e[0] in touched and e[2] in touched)
    for i, (src, kind, dst) in enumerate(shown):
        link = _link(kind, protocols.get((src, dst), ""), gone=(src, kind, dst) in removed)
        lines.append(f"  {ids(*src)} {link} {ids(*dst)}")
        if (src, kind, dst) in added:
            styles[_ADDED_EDGE].append(i)
        elif (src, kind, dst) in removed:
            styles[_REMOVED_EDGE].append(i)
    lines += [f"  classDef added {_ADDED_NODE}", f"  classDef removed {_REMOVED_NODE}"]
    lines += [f"  linkStyle {','.join(map(str, idx))} {style}" for style, idx in styles.items() if idx]
    return "\n".join(lines) + "\n"


def _link(kind: str, protocol: str, gone: bool) -> str:
    label = protocol if kind == "http" else "routes" if kind == "route" else ""
    if gone:
        return f"-.->|{label + ', ' if label else ''}removed|"
    if kind == "broker":
        return "-.->"
    return f"-->|{label}|" if label else "-->"
