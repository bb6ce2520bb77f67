"""The service map as a Mermaid flowchart: services, their databases, brokers and caches, synchronous
calls (the graph itself: render/service_graph.py, which also draws DOT and JSON).

Edges that a boundary rule objects to (a database shared by services, a synchronous call cycle)
are drawn red, so the audit's tracking issue shows the problem at a glance.
"""

from __future__ import annotations

from collections.abc import Iterable

from reviewer.project import Project
from reviewer.render.service_graph import Edge, ServiceGraph, build_graph
from reviewer.services.build import build_service_model

_PROBLEM_STYLE = "stroke:#d62728,stroke-width:3px"
_ARROW = {"database": "-->", "datastore": "-->", "cache": "-->", "broker": "-.->", "route": "-->|routes|"}
_CLASSES = {"service": "fill:#e8f1fb,stroke:#1f77b4", "datastore": "fill:#f4f4f4,stroke:#555",
            "broker": "fill:#fff4e0,stroke:#e69500", "cache": "fill:#fdeef4,stroke:#c2185b"}


def mermaid_label(text: str) -> str:
    """Text safe inside a quoted Mermaid label (entity codes, as Mermaid documents)."""
    return (text.replace("&", "#amp;").replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")
            .replace("\n", " "))


def service_graph(project: Project, config_roots: Iterable[str] = ()) -> ServiceGraph:
    return build_graph(build_service_model(project, tuple(config_roots)))


def render_service_map(project: Project, config_roots: Iterable[str] = ()) -> str:
    return render_graph(service_graph(project, config_roots))


def _arrow(e: Edge) -> str:
    if e.kind == "call":
        return f"-->|{e.protocol}|" if e.protocol else "-->"
    return _ARROW[e.kind]


def render_graph(graph: ServiceGraph) -> str:
    if not graph.nodes:
        return 'flowchart LR\n  empty["no services found"]\n'
    lines = ["flowchart LR"]
    for n in graph.nodes:
        if n.kind == "service":
            shape = f'["{mermaid_label(n.label)}<br/>{mermaid_label(n.detail)}"]'
        elif n.kind == "broker":
            shape = f'{{{{"{mermaid_label(n.label)}"}}}}'
        elif n.kind == "cache":
            shape = f'(["{mermaid_label(n.label)}"])'
        else:
            shape = f'[("{mermaid_label(n.label)}")]'
        lines.append(f"  {n.id}{shape}:::{n.kind}")
    lines += [f"  {e.source} {_arrow(e)} {e.target}" for e in graph.edges]
    kinds = {n.kind for n in graph.nodes}
    lines += [f"  classDef {k} {style}" for k, style in _CLASSES.items()
              if k in ("service", "datastore", "broker") or k in kinds]
    problems = [i for i, e in enumerate(graph.edges) if e.problem]
    if problems:
        lines.append(f"  linkStyle {','.join(map(str, problems))} {_PROBLEM_STYLE}")
    return "\n".join(lines) + "\n"
