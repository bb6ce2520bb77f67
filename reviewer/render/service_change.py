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
from reviewer.render.service_graph import NodeIds, is_third_party, mentions_host
from reviewer.services.calls import call_edges
from reviewer.services.model import ServiceModel, canonical_host

Node = tuple[str, str]  # (kind, name): ("svc", "orders") | ("db", "orders-db:5432/orders") | ("store", "kafka")
Edge = tuple[Node, str, Node]  # (from, "http" | "db" | "broker", to)
_ADDED_NODE = "fill:#e6f6e6,stroke:#2ca02c,stroke-width:3px"
_REMOVED_NODE = "fill:#fdecec,stroke:#d62728,stroke-dasharray:4 3"
_ADDED_EDGE = "stroke:#2ca02c,stroke-width:3px"
_REMOVED_EDGE = "stroke:#d62728,stroke-dasharray:4 3"
MAX_NODES = 30  # a PR that rewires more than this gets the sentence and a pointer to the audit's map


@dataclass(frozen=True)
class Graph:
    nodes: dict[Node, str]  # node -> shape: service | datastore | broker
    edges: frozenset[Edge]
    where: dict[Node, tuple[str, str]]  # a datastore node -> (host, database or "*" when unknown)


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


def graph_of(model: ServiceModel) -> Graph:
    """Services, their databases and brokers, and the synchronous calls between services (the
    same reading as the audit's map, ``render.mermaid``)."""
    nodes: dict[Node, str] = {("svc", s.name): "service" for s in model.services if not s.third_party}
    edges: set[Edge] = set()
    hosts: set[str] = set()
    where: dict[Node, tuple[str, str]] = {}
    for s in model.services:
        for d in s.databases:
            nodes[("db", d.label)] = "datastore"
            where[("db", d.label)] = (canonical_host(d.host), d.database or "*")
            hosts.add(d.key[0])
            if not s.third_party:
                edges.add((("svc", s.name), "db", ("db", d.label)))
    for d in model.datastores:
        host = canonical_host(d.name)
        if host in hosts:
            continue
        hosts.add(host)
        nodes[("store", host)] = "broker" if d.is_broker else "datastore"
        where[("store", host)] = (host, "*")
        for s in model.services:
            if not s.third_party and any(v.value and mentions_host(v.value, host) for v in s.env):
                edges.add((("svc", s.name), "broker" if d.is_broker else "db", ("store", host)))
    for a, b in call_edges(model):
        if not is_third_party(model, a):
            nodes.setdefault(("svc", b), "service")
            edges.add((("svc", a), "http", ("svc", b)))
    return Graph(nodes, frozenset(edges), where)


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
                                 ("broker", "uses", "")):
            dst = sorted(_name(e[2]) for e in added if e[0] == src and e[1] == kind)
            if dst:
                parts.append(f"{verb} {_and(dst)}{tail}")
        for kind, verb in (("http", "no longer calls"), ("db", "no longer connects to"), ("broker", "no longer uses")):
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
        shape = {"service": f'["{label}"]', "broker": f'{{{{"{label}"}}}}'}.get(shapes[node], f'[("{label}")]')
        mark = ":::added" if node in added_nodes else ":::removed" if node in removed_nodes else ""
        lines.append(f"  {node_id}{shape}{mark}")
    arrow = {"http": "-->|HTTP|", "db": "-->", "broker": "-.->"}
    styles: dict[str, list[int]] = {_ADDED_EDGE: [], _REMOVED_EDGE: []}
    shown = sorted(e for e in new.edges | removed if e[0] in touched and e[2] in touched)
    for i, (src, kind, dst) in enumerate(shown):
        gone = (src, kind, dst) in removed
        link = ("-.->|HTTP, removed|" if kind == "http" else "-.->|removed|") if gone else arrow[kind]
        lines.append(f"  {ids(*src)} {link} {ids(*dst)}")
        if (src, kind, dst) in added:
            styles[_ADDED_EDGE].append(i)
        elif (src, kind, dst) in removed:
            styles[_REMOVED_EDGE].append(i)
    lines += [f"  classDef added {_ADDED_NODE}", f"  classDef removed {_REMOVED_NODE}"]
    lines += [f"  linkStyle {','.join(map(str, idx))} {style}" for style, idx in styles.items() if idx]
    return "\n".join(lines) + "\n"
