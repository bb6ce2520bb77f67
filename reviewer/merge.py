"""Rule findings + model findings -> one list. Rules win: a model finding about the same place and
topic as a rule finding (or as a stronger model finding) is a duplicate and is dropped, counted."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from reviewer.model import Finding, normalise_code

NEAR_LINES = 2  # "the same place": the model may anchor on the call while the rule anchors on its keyword
_WORD = re.compile(r"[a-z][a-z0-9]{3,}")
_STOP = {"with", "without", "from", "that", "this", "when", "should", "missing", "uses", "used", "using", "into",
         "call", "calls", "code", "line", "here", "there", "will", "each", "have", "does", "more", "than"}


@dataclass
class Merged:
    findings: list[Finding]
    duplicates: int

    @property
    def notes(self) -> list[str]:
        if not self.duplicates:
            return []
        return [f"model review: {self.duplicates} finding(s) dropped as duplicates of other findings"]


def _words(f: Finding) -> set[str]:
    return set(_WORD.findall(f"{f.title} {f.rule_id.replace('-', ' ')}".lower())) - _STOP


def _lines(f: Finding) -> tuple[int, int]:
    return f.line, max(f.line, f.end_line or f.line)


def same_place(a: Finding, b: Finding) -> bool:
    if a.path != b.path:
        return False
    (a1, a2), (b1, b2) = _lines(a), _lines(b)
    return a1 - NEAR_LINES <= b2 and b1 - NEAR_LINES <= a2


def same_topic(a: Finding, b: Finding) -> bool:
    """Same category, or titles sharing two telling words (a rule on timeouts vs 'no timeout on the call')."""
    return a.category == b.category or len(_words(a) & _words(b)) >= 2


def merge_findings(rule_findings: list[Finding], model_findings: list[Finding]) -> Merged:
    kept_model: list[Finding] = []
    duplicates = 0
    ranked = sorted(model_findings, key=lambda f: (-(f.confidence or 0.0), -f.severity.rank, f.path, f.line))
    for finding in ranked:
        if any(same_place(finding, other) and same_topic(finding, other) for other in (*rule_findings, *kept_model)):
            duplicates += 1
            continue
        kept_model.append(finding)
    # two model findings on the same anchor code would share a fingerprint: number the repeats
    seen: Counter[tuple[str, str, str]] = Counter()
    numbered = []
    for finding in sorted(kept_model, key=lambda f: (f.path, f.line, f.rule_id)):
        key = (finding.rule_id, finding.path, normalise_code(finding.anchor_text))
        numbered.append(finding.with_(occurrence=seen[key]))
        seen[key] += 1
    return Merged(sorted([*rule_findings, *numbered], key=lambda f: f.sort_key), duplicates)
