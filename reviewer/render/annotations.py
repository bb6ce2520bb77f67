"""Findings as runner annotations: ``::error file=..,line=..,endLine=..,title=..::message``.

Escaping follows @actions/core (``packages/core/src/command.ts``, ``escapeData`` and
``escapeProperty``), so untrusted text cannot end a command early or start another one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from reviewer.model import Finding, Severity, Source

# actions/toolkit docs/problem-matchers.md, "Limitations": "10 warning annotations, 10 error
# annotations, and 10 notice annotations per step". The rest would be dropped without a word.
RUNNER_LIMIT_PER_TYPE = 10

FIX_MAX_LINES = 12
_COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
_PLURAL = {Severity.ERROR: "errors", Severity.WARNING: "warnings", Severity.INFO: "notices"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(finding: Finding) -> str:
    props = [("file", finding.path), ("line", str(finding.line))]
    if finding.end_line and finding.end_line > finding.line:
        props.append(("endLine", str(finding.end_line)))
    props.append(("title", f"arch-review {finding.rule_id}"))
    message = finding.title
    fix_lines = finding.fix.strip("\n").splitlines()
    if fix_lines:  # the snippet whole: the first line of a YAML fix ("services:") says nothing
        shown = fix_lines[:FIX_MAX_LINES] + (["..."] if len(fix_lines) > FIX_MAX_LINES else [])
        label = "Example fix" if finding.fix_is_example and finding.source is Source.RULE else "Fix"
        message += f"\n{label}:\n" + "\n".join(shown)
    joined = ",".join(f"{key}={escape_property(value)}" for key, value in props)
    return f"::{_COMMAND[finding.severity]} {joined}::{escape_data(message)}"


def not_annotated(findings: Iterable[Finding], limit_per_type: int = RUNNER_LIMIT_PER_TYPE) -> int:
    """How many findings the runner's per-type limit leaves out of the annotations."""
    per_type = Counter(f.severity for f in findings)
    return sum(max(0, n - limit_per_type) for n in per_type.values())


def render_annotations(findings: Iterable[Finding], limit_per_type: int = RUNNER_LIMIT_PER_TYPE) -> str:
    """Most severe first, at most ``limit_per_type`` per command, then one plain line counting the rest."""
    shown: Counter[Severity] = Counter()
    left: Counter[Severity] = Counter()
    lines: list[str] = []
    for finding in sorted(findings, key=lambda f: f.sort_key):
        if shown[finding.severity] < limit_per_type:
            shown[finding.severity] += 1
            lines.append(annotation(finding))
        else:
            left[finding.severity] += 1
    if left:
        total = sum(left.values())
        parts = ", ".join(f"{left[s]} {_PLURAL[s]}" for s in (Severity.ERROR, Severity.WARNING, Severity.INFO)
                          if left[s])
        lines.append(f"arch-review: {total} more finding{'s' if total != 1 else ''} not shown as annotations "
                     f"({parts}); the runner shows {limit_per_type} per type per step. "
                     "See the job summary or the SARIF file for all of them.")
    return "".join(line + "\n" for line in lines)
