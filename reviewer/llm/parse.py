"""The model's answer -> Findings. Every item is validated against the schema; an invalid item is
skipped and counted, never repaired; an answer of the wrong shape is a note, never a crash.

Grounding: an item's ``evidence`` must be text the model was shown within ``NEAR_LINES`` of the line
it cites, or the item is dropped and counted. An item on a context file (the callee's handler) stays
on that file, so it is listed in the review body, and says which changed line brought it in."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache

from reviewer.llm.prompt import findings_schema
from reviewer.model import Category, Finding, Severity, Source
from reviewer.project import Project
from reviewer.suppress import is_suppressed

NEAR_LINES = 5  # the model may cite the call while its evidence is the argument two lines down
_SPACE = re.compile(r"\s+")
_ELLIPSIS = re.compile(r"\.\.\.|…")


@dataclass(frozen=True)
class Shown:
    """What the model saw of one file: the numbered diff lines (empty for a context file), every shown
    line's text by number, and for a context file the changed line that brought it in."""

    lines: frozenset[int]
    text: tuple[tuple[int, str], ...] = ()
    cause: tuple[str, int] | None = None


def _norm(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def grounded(evidence: str, shown: Shown, first: int, last: int) -> bool:
    """Every line (and every part between ``...``) of ``evidence`` is in the text shown near the cited lines."""
    window = "\n".join(_norm(t) for n, t in shown.text if first - NEAR_LINES <= n <= last + NEAR_LINES)
    parts = [_norm(p) for line in evidence.splitlines() for p in _ELLIPSIS.split(line)]
    parts = [p for p in parts if p]
    return bool(parts) and all(p in window for p in parts)


@dataclass
class Parsed:
    findings: list[Finding] = field(default_factory=list)
    malformed: list[str] = field(default_factory=list)  # whole answers that could not be read
    invalid: int = 0  # items that failed the schema
    first_invalid: str = ""
    unknown_path: int = 0  # items on a file the model was not shown
    low_confidence: int = 0
    off_diff: int = 0  # kept, but their line was not in the hunks shown
    suppressed: int = 0  # `# arch-review: ignore[llm-<category>]` (or ignore[*]) on the line or above
    ungrounded: int = 0  # dropped: the evidence is not in the text shown near the cited line
    on_context: int = 0  # kept, on a context file: listed in the review body with the line that caused them

    def add(self, other: Parsed) -> None:
        self.findings.extend(other.findings)
        self.malformed.extend(other.malformed)
        self.invalid += other.invalid
        self.first_invalid = self.first_invalid or other.first_invalid
        self.unknown_path += other.unknown_path
        self.low_confidence += other.low_confidence
        self.off_diff += other.off_diff
        self.suppressed += other.suppressed
        self.ungrounded += other.ungrounded
        self.on_context += other.on_context

    def notes(self, min_confidence: float) -> list[str]:
        notes = [f"model review: {m}" for m in self.malformed]
        if self.invalid:
            notes.append(f"model review: {self.invalid} finding(s) skipped, not valid against the findings schema "
                         f"(first: {self.first_invalid})")
        if self.unknown_path:
            notes.append(f"model review: {self.unknown_path} finding(s) skipped, on files it was not shown")
        if self.low_confidence:
            notes.append(f"model review: {self.low_confidence} finding(s) below the confidence threshold "
                         f"{min_confidence:g} dropped")
        if self.ungrounded:
            notes.append(f"model review: {self.ungrounded} finding(s) dropped, their evidence is not in the code "
                         "shown near the cited line")
        if self.on_context:
            notes.append(f"model review: {self.on_context} finding(s) on code this change calls, listed in the "
                         "review body under the changed line that led there")
        if self.suppressed:
            notes.append(f"model review: {self.suppressed} finding(s) suppressed by arch-review: ignore pragmas")
        if self.off_diff:
            notes.append(f"model review: {self.off_diff} finding(s) cite lines outside the diff; "
                         "listed in the review body")
        return notes


@cache
def _item_validator():
    import jsonschema

    return jsonschema.Draft202012Validator(findings_schema()["properties"]["findings"]["items"])


def parse_answer(tool_inputs: list[object], stop_reason: str | None, shown: Mapping[str, Shown],
                 project: Project, min_confidence: float) -> Parsed:
    """``tool_inputs``: the inputs of the report_findings calls in one answer; ``shown``: path -> what was shown."""
    out = Parsed()
    if not tool_inputs:
        out.malformed.append(f"an answer had no report_findings call (stop_reason={stop_reason}); "
                             f"{len(shown)} file(s) got no model review")
        return out
    for raw in tool_inputs:
        items = raw.get("findings") if isinstance(raw, dict) else None
        if not isinstance(items, list):
            cut = " (the answer hit max_tokens)" if stop_reason == "max_tokens" else ""
            out.malformed.append(f"an answer did not hold a findings list{cut}; {len(shown)} file(s) got no "
                                 "model review")
            continue
        for item in items:
            _parse_item(item, shown, project, min_confidence, out)
    return out


def _parse_item(item: object, shown: Mapping[str, Shown], project: Project, min_confidence: float,
                out: Parsed) -> None:
    error = next(iter(sorted(_item_validator().iter_errors(item), key=lambda e: list(e.path))), None)
    if error is not None:
        out.invalid += 1
        where = ".".join(str(p) for p in error.path)
        out.first_invalid = out.first_invalid or (f"{where}: " if where else "") + error.message[:120]
        return
    assert isinstance(item, dict)
    path = item["path"]
    if path not in shown:
        out.unknown_path += 1
        return
    if item["confidence"] < min_confidence:
        out.low_confidence += 1
        return
    line, start = item["line"], item.get("start_line")
    first, end = (start, line) if start is not None and start < line else (line, None)
    seen = shown[path]
    if not grounded(item["evidence"], seen, first, end or first):
        out.ungrounded += 1
        return
    lines = seen.lines
    off_diff = seen.cause is None and first not in lines
    if end is not None and (seen.cause is not None or end not in lines):
        end = None
    category = Category(item["category"])
    f = project.get(path)
    if is_suppressed(f"llm-{category.value}", (), f, first):
        out.suppressed += 1
        return
    body, title = item["body"].strip(), item["title"].strip()
    if seen.cause is not None:  # listed in the review body: its title names the changed line that led there
        out.on_context += 1
        body = f"Reached from `{seen.cause[0]}` line {seen.cause[1]}, the call this change adds. {body}"
        title = f"{title.rstrip('.')} (via the call this change adds at {seen.cause[0]}:{seen.cause[1]})"
    elif off_diff:
        out.off_diff += 1
    out.findings.append(Finding(
        rule_id=f"llm-{category.value}", severity=Severity(item["severity"]), category=category, path=path,
        line=first, end_line=end, title=title, body=body,
        fix=(item.get("fix") or "").strip(), source=Source.LLM, anchor_text=f.line_text(first) if f else "",
        confidence=float(item["confidence"])))
