"""Plain-text and JSON output for the CLI."""

from __future__ import annotations

import json
from collections import Counter, defaultdict

from reviewer.model import Finding, Report, Severity, Source


def one_line_fix(fix: str, width: int = 110) -> str:
    """The fix snippet on one line: its first code line, plus the lines it opens when it only opens a
    block (``depends_on:`` alone says nothing; ``depends_on: db: condition: service_healthy`` does)."""
    code = [ln.strip() for ln in fix.splitlines() if ln.strip() and not ln.strip().startswith("#")]
    taken: list[str] = []
    for line in code[:4]:
        taken.append(line.split("  #", 1)[0].rstrip())
        if not (line.endswith((":", "(", "[", "{")) or line.startswith("@")):
            break
    text = " ".join(taken)
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def counts_line(findings: list[Finding]) -> str:
    if not findings:
        return "no findings"
    by = Counter(f.severity for f in findings)
    parts = [f"{by[s]} {s.value}{'s' if by[s] != 1 else ''}" for s in
             (Severity.ERROR, Severity.WARNING, Severity.INFO) if by[s]]
    total = len(findings)
    return f"{total} finding{'s' if total != 1 else ''} ({', '.join(parts)})"


def render_text(report: Report) -> str:
    lines: list[str] = []
    by_file: dict[str, list[Finding]] = defaultdict(list)
    for f in report.findings:
        by_file[f.path].append(f)
    for path in sorted(by_file):
        lines.append(path)
        for f in sorted(by_file[path], key=lambda x: (x.line, x.rule_id)):
            lines.append(f"  {f.line}: {f.severity.value:<7} {f.rule_id}  {f.title}")
            fix = one_line_fix(f.fix)
            if fix:
                label = "example fix" if f.fix_is_example and f.source is Source.RULE else "fix"
                lines.append(f"      {label}: {fix}")
        lines.append("")
    for note in report.notes:
        lines.append(f"note: {note}")
    files = len(report.files_reviewed)
    lines.append(f"{counts_line(report.findings)} in {files} file{'s' if files != 1 else ''} "
                 f"({report.rules_run} rules)")
    return "\n".join(lines) + "\n"


def finding_dict(f: Finding) -> dict[str, object]:
    out: dict[str, object] = {
        "rule": f.rule_id, "severity": f.severity.value, "category": f.category.value,
        "path": f.path, "line": f.line, "title": f.title, "body": f.body, "fix": f.fix,
        "source": f.source.value, "fingerprint": f.fingerprint(),
    }
    if f.fix:
        out["fix_is_example"] = f.fix_is_example and f.source is Source.RULE
    if f.suggestion is not None:
        out["suggestion"] = f.suggestion
    if f.end_line:
        out["end_line"] = f.end_line
    if f.confidence is not None:
        out["confidence"] = f.confidence
    return out


def render_json(report: Report) -> str:
    return json.dumps({
        "findings": [finding_dict(f) for f in report.findings],
        "notes": report.notes,
        "files_reviewed": len(report.files_reviewed),
        "rules_run": report.rules_run,
    }, indent=2) + "\n"
