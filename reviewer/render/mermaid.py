"""The service map as a Mermaid flowchart: services, their databases and brokers, synchronous calls.

Edges that a boundary rule objects to (a database shared by services, a synchronous call cycle)
are drawn red, so the audit's tracking issue shows the problem at a glance.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from reviewer.project import Project
from reviewer.services.build import build_service_model
from reviewer.services.calls import call_cycles, call_edges
from reviewer.services.model import ServiceModel, canonical_host

_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_]")
_PROBLEM_STYLE = "stroke:#d62728,stroke-width:3px"


def _label(text: str) -> str:
    """Text safe inside a quoted Mermaid label (entity codes, as Mermaid documents)."""
    return (text.replace("&", "#amp;").replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")
            .replace("\n", " "))


class _Ids:
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


def _mentions(value: str, host: str) -> bool:
    return re.search(rf"(^|[/@,\s=]){re.escape(host)}(:\d+)?([/,\s?]|$)", value) is not None


def render_service_map(project: Project, config_roots: Iterable[str] = ()) -> str:
    model = build_service_model(project, tuple(config_roots))
    return render_model(model)


def render_model(model: ServiceModel) -> str:
    ids = _Ids()
    lines = ["flowchart LR"]
    edges: list[tuple[str, str, str, bool]] = []  # (from, arrow with label, to, problem)
    services = sorted(model.services, key=lambda s: s.name)
    if not services and not model.datastores:
        return 'flowchart LR\n  empty["no services found"]\n'
    for s in services:
        detail = f"{s.root}/" if s.root else ", ".join(sorted(s.origins))
        lines.append(f'  {ids("svc", s.name)}["{_label(s.name)}<br/>{_label(detail)}"]:::service')

    db_users: dict[tuple, set[str]] = {}
    db_label: dict[tuple, str] = {}
    for s in services:
        for d in s.databases:
            db_users.setdefault(d.key, set()).add(s.name)
            db_label[d.key] = d.label
    shown_hosts: set[str] = set()
    for key in sorted(db_users, key=str):
        lines.append(f'  {ids("db", db_label[key])}[("{_label(db_label[key])}")]:::datastore')
        shown_hosts.add(key[0])
        shared = len({n for n in db_users[key] if not _third_party(model, n)}) > 1
        for name in sorted(db_users[key]):
            edges.append((ids("svc", name), "-->", ids("db", db_label[key]), shared))

    for d in sorted(model.datastores, key=lambda d: d.name):
        host = canonical_host(d.name)
        if host in shown_hosts:
            continue
        shown_hosts.add(host)
        shape = f'{{{{"{_label(d.name)}"}}}}' if d.is_broker else f'[("{_label(d.name)}")]'
        lines.append(f"  {ids('store', host)}{shape}:::{'broker' if d.is_broker else 'datastore'}")
        for s in services:
            if any(v.value and _mentions(v.value, host) for v in s.env):
                edges.append((ids("svc", s.name), "-.->" if d.is_broker else "-->", ids("store", host), False))

    calls = call_edges(model)
    in_cycle = {(a, b) for cycle in call_cycles(calls) for a, b in zip(cycle, cycle[1:] + cycle[:1], strict=True)}
    for a, b in sorted(calls):
        edges.append((ids("svc", a), "-->|HTTP|", ids("svc", b), (a, b) in in_cycle))

    seen: set[tuple[str, str, str]] = set()
    problems: list[int] = []
    for src, arrow, dst, problem in edges:
        if (src, arrow, dst) in seen:
            continue
        seen.add((src, arrow, dst))
        if problem:
            problems.append(len(seen) - 1)
        lines.append(f"  {src} {arrow} {dst}")
    lines += ["  classDef service fill:#e8f1fb,stroke:#1f77b4",
              "  classDef datastore fill:#f4f4f4,stroke:#555",
              "  classDef broker fill:#fff4e0,stroke:#e69500"]
    if problems:
        lines.append(f"  linkStyle {','.join(map(str, problems))} {_PROBLEM_STYLE}")
    return "\n".join(lines) + "\n"


def _third_party(model: ServiceModel, name: str) -> bool:
    s = model.named(name)
    return s is None or s.third_party

