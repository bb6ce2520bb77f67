"""What a change does to the API surface: removed routes, removed or retyped response fields,
newly required or tightened request fields, removed enum values, changed success codes (base vs
head). A retyped field counts only when it is incompatible on the wire (``services.api_wire``)."""

from __future__ import annotations

import ast
import json
from collections.abc import Iterator
from dataclasses import dataclass

from reviewer.services.api import ApiRoute, ApiSurface, ClassInfo, Field, shape
from reviewer.services.api_wire import (
    alternatives,
    constraints,
    request_verdict,
    response_compatible,
    tightened_bounds,
)
from reviewer.sources.python_ast import dotted


@dataclass(frozen=True)
class Change:
    rule_id: str
    path: str
    line: int
    detail: str
    fix: str | None = None  # built from the route's and the model's own names


def _decorator(r: ApiRoute, extra: str) -> str:
    written = r.route.path if r.route.path is not None else r.path
    return f"@{r.route.router}.{r.method}({json.dumps(written)}{extra})"


def _optional(annotation: ast.expr) -> str:
    text = ast.unparse(annotation)
    return text if "None" in text or "Optional" in text else f"{text} | None"


def _member_value(info: ClassInfo, member: str) -> str:
    for stmt in info.node.body:
        if isinstance(stmt, ast.Assign) and any(isinstance(t, ast.Name) and t.id == member for t in stmt.targets):
            return ast.unparse(stmt.value)
    return "..."


def _literals(expr: ast.expr) -> set[object]:
    out: set[object] = set()
    for node in ast.walk(expr):
        if isinstance(node, ast.Subscript) and (dotted(node.value) or "").rsplit(".", 1)[-1] == "Literal":
            elts = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
            out |= {e.value for e in elts if isinstance(e, ast.Constant)}
    return out


class Differ:
    """Breaking changes between a base and a head ``ApiSurface``."""

    def __init__(self, base: ApiSurface, head: ApiSurface, head_paths: set[str]) -> None:
        self.base, self.head, self.head_paths = base, head, head_paths
        self._seen: set[tuple[int, int, str]] = set()

    def changes(self) -> Iterator[Change]:
        removed: dict[tuple[str, int], list[Change]] = {}
        for key, b in sorted(self.base.routes.items(), key=lambda kv: (kv[1].file, kv[1].line)):
            h = self.head.routes.get(key)
            if h is None:
                for change in self._removed(b):
                    removed.setdefault((change.path, change.line), []).append(change)
                continue
            if b.status != h.status and (b.status or 200) != (h.status or 200):
                yield Change("api-success-status-changed", h.file, h.line,
                             f"{h.method.upper()} {h.path}: {b.status or 200} → {h.status or 200}",
                             f"{_decorator(h, f', status_code={b.status or 200}')}  # as released; a new status "
                             "belongs in a new API version")
            yield from self._pair_types(self.base.types_in(b.response_expr(), b.file),
                                        self.head.types_in(h.response_expr(), h.file), "response")
            b_req, h_req = self.base.request_params(b), self.head.request_params(h)
            for name in sorted(b_req.keys() & h_req.keys()):
                yield from self._pair_types(self.base.types_in(b_req[name], b.file),
                                            self.head.types_in(h_req[name], h.file), "request")
        for (path, line), gone in removed.items():  # routes that anchor on one line: one comment
            yield Change("api-route-removed", path, line, "; ".join(c.detail for c in gone),
                         "\n\n".join(c.fix for c in gone if c.fix))

    def _removed(self, b: ApiRoute) -> Iterator[Change]:
        if b.deprecated or b.file not in self.head_paths:
            return
        remaining = self.head.routes_by_file.get(b.file, [])
        line = min(remaining, key=lambda r: abs(r.line - b.line)).line if remaining else 1
        kind = "async def" if b.route.is_async else "def"
        yield Change("api-route-removed", b.file, line, f"{b.method.upper()} {b.path} (was {b.file}:{b.line})",
                     f"{_decorator(b, ', deprecated=True')}  # kept for a release, removed once traffic is gone\n"
                     f"{kind} {b.func.name}(...): ...")

    def _pair_types(self, bs: list[ClassInfo], hs: list[ClassInfo], side: str) -> Iterator[Change]:
        if len(bs) != len(hs):
            return
        for bc, hc in zip(bs, hs, strict=True):
            if bc.kind != hc.kind:
                continue
            if bc.kind == "enum" and side == "request":  # a reader never misses a value it no longer gets
                yield from self._enum(bc, hc)
            elif bc.kind == "model":
                yield from self._model(bc, hc, side)

    def _enum(self, bc: ClassInfo, hc: ClassInfo) -> Iterator[Change]:
        if self._once(bc, hc, "enum"):
            for member in bc.members:
                if member not in hc.members:
                    yield Change("api-enum-value-removed", hc.path, hc.line, f"`{member}` removed from `{hc.name}`",
                                 f"class {hc.name}({', '.join(hc.bases)}):\n    ...\n"
                                 f"    {member} = {_member_value(bc, member)}  # kept: old clients still send it")

    def _once(self, bc: ClassInfo, hc: ClassInfo, side: str) -> bool:
        key = (id(bc), id(hc), side)
        if key in self._seen:
            return False
        self._seen.add(key)
        return True

    def _model(self, bc: ClassInfo, hc: ClassInfo, side: str) -> Iterator[Change]:
        if not self._once(bc, hc, side):
            return
        bf, hf = self.base.all_fields(bc), self.head.all_fields(hc)
        for name, old in bf.items():
            new = hf.get(name)
            if new is None:
                if side == "response":
                    yield Change("api-response-field-removed", hc.path, hc.line,
                                 f"`{name}` removed from response model `{hc.name}`",
                                 f"class {hc.name}(BaseModel):\n    ...\n    {name}: {_optional(old.annotation)} = "
                                 "Field(None, deprecated=True)  # kept until every client has moved")
                continue
            yield from self._field(bc, hc, old, new, side)
        if side == "request":
            for name, new in hf.items():
                if name not in bf and new.required:
                    yield Change("api-request-field-now-required", hc.path, new.line,
                                 f"new field `{name}` of `{hc.name}` has no default", _optional_field(hc, new))

    def _field(self, bc: ClassInfo, hc: ClassInfo, old: Field, new: Field, side: str) -> Iterator[Change]:
        if old.annotation is new.annotation and old.required == new.required:  # the same parse: unchanged file
            yield from self._pair_types(self.base.types_in(old.annotation, bc.path),
                                        self.head.types_in(new.annotation, hc.path), side)
            return
        old_shape = shape(old.annotation, self.base, bc.path)
        new_shape = shape(new.annotation, self.head, hc.path)
        now_required = side == "request" and new.required and not old.required
        if now_required:
            yield Change("api-request-field-now-required", hc.path, new.line,
                         f"`{new.name}` of `{hc.name}` is now required", _optional_field(hc, new))
        narrowed = False
        if old_shape != new_shape and not (now_required and _without_none(old_shape) == new_shape):
            verdict = self._wire_verdict(bc, hc, old, new, side)
            if verdict == "breaking":
                yield Change("api-field-type-changed", hc.path, new.line, f"`{hc.name}.{new.name}`: "
                             f"`{ast.unparse(old.annotation)}` → `{ast.unparse(new.annotation)}`",
                             f"class {hc.name}(BaseModel):\n    {new.name}: {ast.unparse(old.annotation)}  # unchanged "
                             f"for existing clients\n    {new.name}_v2: {_optional(new.annotation)} = None  # the new "
                             "type, added alongside")
                return
            narrowed = verdict == "tightened"
        if side == "request":
            yield from self._tightened(hc, old, new, narrowed)
        removed = _literals(old.annotation) - _literals(new.annotation) if side == "request" else set()
        if removed:
            values = ", ".join(f"`{v!r}`" for v in sorted(removed, key=str))
            yield Change("api-enum-value-removed", hc.path, new.line, f"{values} removed from `{hc.name}.{new.name}`",
                         f"class {hc.name}(BaseModel):\n    {new.name}: {ast.unparse(old.annotation)}  # keeps "
                         f"accepting {values}; map them to their replacement in the handler")
        yield from self._pair_types(self.base.types_in(old.annotation, bc.path),
                                    self.head.types_in(new.annotation, hc.path), side)

    def _wire_verdict(self, bc: ClassInfo, hc: ClassInfo, old: Field, new: Field, side: str) -> str | None:
        """"breaking", "tightened" (a request accepts less) or None (the same or more on the wire)."""
        old_alts = alternatives(old.annotation, self.base, bc.path)
        new_alts = alternatives(new.annotation, self.head, hc.path)
        if side == "response":
            return None if response_compatible(old_alts, new_alts) else "breaking"
        return request_verdict(old_alts, new_alts)

    def _tightened(self, hc: ClassInfo, old: Field, new: Field, narrowed: bool) -> Iterator[Change]:
        reasons = tightened_bounds(constraints(old.annotation, old.value), constraints(new.annotation, new.value))
        if narrowed:
            reasons.insert(0, f"`{ast.unparse(old.annotation)}` → `{ast.unparse(new.annotation)}`")
        if reasons:
            yield Change("api-request-field-tightened", hc.path, new.line,
                         f"`{hc.name}.{new.name}`: {', '.join(reasons)}")


def _optional_field(hc: ClassInfo, new: Field) -> str:
    return (f"class {hc.name}(BaseModel):\n    {new.name}: {_optional(new.annotation)} = None  # optional for the "
            "clients already deployed; required only in a new API version")


def _without_none(shape_text: str) -> str:
    parts = [p for p in shape_text.split(" | ") if p != "None"]
    return " | ".join(parts)
