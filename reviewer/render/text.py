"""Plain-text and JSON output for the CLI."""

from __future__ import annotations

import json
from collections import Counter, defaultdict

from reviewer.model import Finding, Report, Severity, Source
from reviewer.routing import Route, Routed


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


CLI_HOW = "`arch-review review --all` lists them, `arch-review audit` shows the whole repository"


def pre_existing_line(report: Report, how: str = CLI_HOW) -> str | None:
    """The one line a review spends on what the change did not introduce."""
    n = len(report.pre_existing)
    if not n:
        return None
    return f"{n} finding{'s' if n != 1 else ''} already present in the files this change touches ({how})"


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
    old = pre_existing_line(report)
    if old:
        lines.append(old)
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
        "pre_existing": len(report.pre_existing),
        "comparison": report.comparison,
    }, indent=2) + "\n"


def render_plan(routed: list[Routed]) -> str:
    """What a ``pull_request`` run would post for this change: one line per finding, under the
    place it goes; a finding folded into another's comment says so on its own line."""
    inline = [r for r in routed if r.route is Route.INLINE]
    listed = [r for r in routed if r.route in (Route.FILE, Route.BODY, Route.REFUSED, Route.SUMMARY)]
    noted = [r for r in routed if r.route is Route.NOTE]
    lines = [f"would post 1 review with {len(inline)} inline comment{'s' if len(inline) != 1 else ''}:"
             if routed else "would post nothing: no findings"]
    lines += _plan_lines(inline, show_route=False)
    if listed:
        lines.append(f"and list {sum(r.size for r in listed)} more in the review body:")
        lines += _plan_lines(listed, show_route=True)
    if noted:
        lines.append(f"and {sum(r.size for r in noted)} in its collapsed Notes (below the inline severity):")
        lines += _plan_lines(noted, show_route=False)
    return "\n".join(lines) + "\n"


def _plan_lines(routed: list[Routed], show_route: bool) -> list[str]:
    out = []
    for r in routed:
        f = r.finding
        span = f"  (lines {r.start_line}-{r.comment_line})" if r.start_line else ""
        route = f"  ({r.route.value})" if show_route else ""
        out.append(f"  {f.path}:{f.line}  {f.rule_id}{span}{route}")
        for m in r.merged:
            out.append(f"  {m.path}:{m.line}  {m.rule_id}  (merged into the {f.rule_id} comment above)")
        for m in r.also:
            out.append(f"  {m.path}:{m.line}  {m.rule_id}  (same cause: listed in the comment on {f.path}:{f.line})")
    return out
