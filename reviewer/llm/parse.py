"""The model's answer -> Findings. Every item is validated against the schema; an invalid item is
skipped and counted, never repaired; an answer of the wrong shape is a note, never a crash."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache

from reviewer.llm.prompt import findings_schema
from reviewer.model import Category, Finding, Severity, Source
from reviewer.project import Project
from reviewer.suppress import is_suppressed


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

    def add(self, other: Parsed) -> None:
        self.findings.extend(other.findings)
        self.malformed.extend(other.malformed)
        self.invalid += other.invalid
        self.first_invalid = self.first_invalid or other.first_invalid
        self.unknown_path += other.unknown_path
        self.low_confidence += other.low_confidence
        self.off_diff += other.off_diff
        self.suppressed += other.suppressed

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


def parse_answer(tool_inputs: list[object], stop_reason: str | None, shown: Mapping[str, frozenset[int]],
                 project: Project, min_confidence: float) -> Parsed:
    """``tool_inputs``: the inputs of the report_findings calls in one answer; ``shown``: path -> lines shown."""
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


def _parse_item(item: object, shown: Mapping[str, frozenset[int]], project: Project, min_confidence: float,
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
    lines = shown[path]
    off_diff = first not in lines
    if off_diff:
        out.off_diff += 1
    elif end is not None and end not in lines:
        end = None
    category = Category(item["category"])
    f = project.get(path)
    if is_suppressed(f"llm-{category.value}", (), f, first):
        out.suppressed += 1
        if off_diff:
            out.off_diff -= 1
        return
    out.findings.append(Finding(
        rule_id=f"llm-{category.value}", severity=Severity(item["severity"]), category=category, path=path,
        line=first, end_line=end, title=item["title"].strip(), body=item["body"].strip(),
        fix=(item.get("fix") or "").strip(), source=Source.LLM, anchor_text=f.line_text(first) if f else "",
        confidence=float(item["confidence"])))
