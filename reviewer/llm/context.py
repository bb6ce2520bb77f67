"""The context pack of one request: what the model needs to judge the chunk's change as part of the
system, read from the service model's public functions (never by parsing again).

    for each service the chunk touches:  its slice of the service map (calls, callers, datastores,
                                         brokers) and its compose service / Kubernetes workload blocks
    for each outbound call the chunk ADDS: the handler on the other end (route found through the
                                         service model), its body and the Pydantic models it uses

Blocks come in priority order (callee handlers, then map slices, then deployment blocks) so that a
tight budget trims the least telling context first; the diff hunks are never trimmed for context.
Every shown line keeps its real line number: the model cites them, and grounding checks against them.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from reviewer.classify import FileKind
from reviewer.diff import ChangeSet
from reviewer.project import Project

if TYPE_CHECKING:
    from reviewer.services.model import Service, ServiceModel

MAX_BLOCK_LINES = 60  # a handler or a manifest longer than this is cut; the head says so
MAX_MODELS_PER_CALLEE = 4
MAX_CALLEES = 6  # outbound calls added by one chunk whose handlers are shown
MAX_LIST = 8  # names in one line of a service slice


@dataclass(frozen=True)
class ContextBlock:
    """One piece of context. ``lines`` (number -> redacted text) when it shows a file, else ``text``."""

    kind: str  # "callee" | "service" | "deploy"
    title: str
    path: str | None = None
    lines: tuple[tuple[int, str], ...] = ()
    text: str = ""
    cause: tuple[str, int] | None = None  # the changed line that brought a callee in

    def render(self) -> str:
        body = self.text or "\n".join(f"{n:>5}   {t}" for n, t in self.lines)
        head = f"context: {self.path}  ({self.title})" if self.path else self.title
        return f"{head}\n{body}"


@dataclass
class ContextPack:
    blocks: list[ContextBlock] = field(default_factory=list)
    trimmed: int = 0  # blocks left out for the token budget

    def render(self) -> str:
        return "\n\n".join(b.render() for b in self.blocks)

    @property
    def chars(self) -> int:
        return len(self.render())

    def shown(self) -> dict[str, dict[int, str]]:
        """path -> the lines shown of each context file."""
        out: dict[str, dict[int, str]] = {}
        for b in self.blocks:
            if b.path is not None:
                out.setdefault(b.path, {}).update(b.lines)
        return out

    def causes(self) -> dict[str, tuple[str, int]]:
        """context file -> the changed line that led to it (callee handlers only)."""
        return {b.path: b.cause for b in self.blocks if b.path is not None and b.cause is not None}


def fit(blocks: list[ContextBlock], room_chars: int) -> ContextPack:
    """The blocks, in priority order, that fit in ``room_chars``; the others are counted as trimmed."""
    pack = ContextPack()
    used = 0
    for block in blocks:
        size = len(block.render()) + 2
        if used + size > room_chars:
            pack.trimmed += 1
            continue
        pack.blocks.append(block)
        used += size
    return pack


def context_blocks(project: Project, service_roots: tuple[str, ...], changes: ChangeSet, paths: Iterable[str],
                   redact: Callable[[str], str]) -> list[ContextBlock]:
    """Every candidate block for a request holding ``paths``, most telling first."""
    paths = list(paths)
    if not paths:
        return []
    from reviewer.services.build import build_service_model  # the model is built once per run, shared

    model = build_service_model(project, service_roots)
    touched = _touched(model, project, paths)
    from reviewer.services.calls import call_edges

    reached: list[Service] = []  # the services on the other end of the added calls
    callees = list(_callees(model, project, changes, paths, redact, reached))
    edges = call_edges(model) if touched or reached else {}
    slices = [_slice(model, svc, edges) for svc in [*touched, *(s for s in reached if s not in touched)]]
    deploy = [b for svc in touched for b in _deploy_blocks(model, project, svc, set(paths), redact)]
    seen: set[tuple[str | None, str]] = set()
    out = []
    for b in [*callees, *slices, *deploy]:
        key = (b.path, b.title)
        if key not in seen:
            seen.add(key)
            out.append(b)
    return out


def _touched(model: ServiceModel, project: Project, paths: list[str]) -> list[Service]:
    found: dict[str, Service] = {}
    for path in paths:
        owner = model.owner_of(path)
        if owner is not None:
            found.setdefault(owner.name, owner)
        f = project.get(path)
        if f is None or f.kind not in (FileKind.COMPOSE, FileKind.K8S):
            continue
        for svc in model.services:
            if (svc.decl and svc.decl[0] == path) or any(p.workload.path == path for p in svc.workloads):
                found.setdefault(svc.name, svc)
    return [found[n] for n in sorted(found)]


def _names(items: Iterable[str]) -> str:
    items = sorted(set(items))
    more = f" and {len(items) - MAX_LIST} more" if len(items) > MAX_LIST else ""
    return ", ".join(items[:MAX_LIST]) + more


def _slice(model: ServiceModel, svc: Service, edges: dict[tuple[str, str], list[tuple[str, int]]]) -> ContextBlock:
    facts = []
    if svc.root is not None:
        facts.append(f"root {svc.root or '.'}")
    if svc.origins:
        facts.append("from " + "/".join(sorted(svc.origins)))
    if svc.images:
        facts.append("image " + sorted(svc.images)[0])
    lines = [f"service {svc.name}" + (f" ({'; '.join(facts)})" if facts else "")]
    calls = [callee for (caller, callee) in edges if caller == svc.name]
    callers = [caller for (caller, callee) in edges if callee == svc.name]
    stores, brokers = [], []
    for db in svc.databases:
        stores.append(f"{db.scheme}://{db.label}")
    for url in svc.urls:
        store = model.datastore_hosts.get(url.host)
        if store is not None:
            (brokers if store.is_broker else stores).append(f"{store.name} ({store.image})")
    for label, names in (("calls", calls), ("called by", callers), ("datastores", stores), ("brokers", brokers)):
        if names:  # an empty line would cost tokens and say nothing the model can use
            lines.append(f"  {label}: {_names(names)}")
    return ContextBlock("service", f"service map: {svc.name}", text="\n".join(lines))


def _block_lines(text_lines: list[str], start: int, end: int, redact: Callable[[str], str]) -> tuple:
    end = min(end, start + MAX_BLOCK_LINES - 1, len(text_lines))
    cleaned = redact("\n".join(text_lines[start - 1:end])).split("\n")
    if len(cleaned) != end - start + 1:
        cleaned = ["[REDACTED]"] * (end - start + 1)
    return tuple(zip(range(start, end + 1), cleaned, strict=True))


def _indented_block(lines: list[str], start: int) -> int:
    """The last line of the YAML block whose key is on line ``start``."""
    indent = len(lines[start - 1]) - len(lines[start - 1].lstrip())
    end = start
    for n in range(start + 1, len(lines) + 1):
        line = lines[n - 1]
        if line.strip() and not line.lstrip().startswith("#") and len(line) - len(line.lstrip()) <= indent:
            break
        if line.strip():
            end = n
    return end


def _deploy_blocks(model: ServiceModel, project: Project, svc: Service, in_chunk: set[str],
                   redact: Callable[[str], str]) -> Iterator[ContextBlock]:
    """The compose service and Kubernetes workload blocks of ``svc`` (files the chunk shows are left out)."""
    from reviewer.sources.compose import compose_index

    names = {svc.name, *svc.aliases}
    for cf in sorted(compose_index(project).files.values(), key=lambda c: c.path):
        f = project.get(cf.path)
        if f is None or cf.path in in_chunk:
            continue
        for name, cs in cf.services.items():
            if name in names:
                text = f.text.split("\n")
                yield ContextBlock("deploy", f"compose service {name}", cf.path,
                                   _block_lines(text, cs.line, _indented_block(text, cs.line), redact))
    for placement in svc.workloads:
        wl = placement.workload
        if wl.path in in_chunk:
            continue
        text = wl.file.text.split("\n")
        yield ContextBlock("deploy", f"{wl.kind} {wl.name or '?'}", wl.path,
                           _block_lines(text, wl.doc.start_line, wl.doc.end_line, redact))


def _added_lines(changes: ChangeSet, path: str) -> set[int]:
    change = changes.files.get(path)
    return {n for h in change.hunks for n in h.added} if change is not None else set()


def _callees(model: ServiceModel, project: Project, changes: ChangeSet, paths: list[str],
             redact: Callable[[str], str], reached: list[Service]) -> Iterator[ContextBlock]:
    """The handlers (and their Pydantic models) that outbound calls on added lines reach."""
    from reviewer.services.calls import resolve_call, route_index
    from reviewer.services.url_templates import http_call_url

    count = 0
    for path in paths:
        added = _added_lines(changes, path)
        facts = model.code.get(path) if path.endswith(".py") and added else None
        caller = model.owner_of(path)
        if facts is None or caller is None:
            continue
        for node in facts.module.nodes:
            if not isinstance(node, ast.Call) or node.lineno not in added:
                continue
            template = http_call_url(facts.module, node)
            hop = resolve_call(model, caller, template) if template else None
            if hop is None:
                continue
            target, url_path = hop
            if target not in reached:
                reached.append(target)
            verb = node.func.attr if isinstance(node.func, ast.Attribute) else ""
            for full, route in route_index(model, target).matching(url_path):
                if verb in ("get", "post", "put", "patch", "delete") and route.method != verb:
                    continue
                yield from _handler(model, project, target, full, route, (path, node.lineno), redact)
                count += 1
                if count >= MAX_CALLEES:
                    return


def _handler(model: ServiceModel, project: Project, target: Service, full: str, route,
             cause: tuple[str, int], redact: Callable[[str], str]) -> Iterator[ContextBlock]:
    f = project.get(route.file)
    if f is None:
        return
    func = route.route.func
    start = min([func.lineno, *(d.lineno for d in func.decorator_list)])
    text = f.text.split("\n")
    title = (f"{route.method.upper()} {full} in service {target.name}, called from {cause[0]} line {cause[1]}")
    yield ContextBlock("callee", title, route.file, _block_lines(text, start, func.end_lineno or start, redact),
                       cause=cause)
    for cls_path, node in _models_used(model, target, func, route.route)[:MAX_MODELS_PER_CALLEE]:
        cf = project.get(cls_path)
        if cf is not None:
            lines = cf.text.split("\n")
            yield ContextBlock("callee", f"model {node.name} used by {route.handler}", cls_path,
                               _block_lines(lines, node.lineno, node.end_lineno or node.lineno, redact), cause=cause)


def _models_used(model: ServiceModel, target: Service, func: ast.AST, route) -> list[tuple[str, ast.ClassDef]]:
    """Pydantic model classes of the callee's service named in the handler's signature or decorator."""
    names: list[str] = []
    parts: list[ast.AST] = [a.annotation for a in (*func.args.args, *func.args.kwonlyargs) if a.annotation]
    if func.returns is not None:
        parts.append(func.returns)
    parts += [d for d in func.decorator_list]
    for part in parts:
        names += [n.id for n in ast.walk(part) if isinstance(n, ast.Name)]
    wanted = list(dict.fromkeys(names))
    found: dict[str, tuple[str, ast.ClassDef]] = {}
    for facts in target.facts(model):
        hits = set(facts.models) & set(wanted)
        if not hits:
            continue
        for node in facts.module.tree.body:
            if isinstance(node, ast.ClassDef) and node.name in hits:
                found.setdefault(node.name, (facts.path, node))
    return [found[n] for n in wanted if n in found]
