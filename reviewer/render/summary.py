"""The job summary (``GITHUB_STEP_SUMMARY``): counts, the findings that did not go inline, notes,
model usage and the service map, kept under GitHub's per-step size limit."""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from reviewer.model import Category, Finding, Report, Severity
from reviewer.render.text import counts_line
from reviewer.routing import Route, Routed

# GitHub docs, workflow commands, "Step isolation and limits": "each step is restricted to a
# maximum size of 1MiB ... If more than 1MiB of content is added for a step, then the upload for
# the step will fail and an error annotation will be created." We stay a little under it.
MAX_SUMMARY_BYTES = 1024 * 1024 - 4 * 1024

RULES_ONLY_LINE = "rules-only review (no anthropic-api-key)"
_SEVERITIES = (Severity.ERROR, Severity.WARNING, Severity.INFO)
_CODE_SPAN = re.compile(r"(?<!`)`([^`\n]+)`(?!`)")
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")


def _plain(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))


def cell(text: str) -> str:
    """Text safe inside one Markdown table cell: no newline, no bare ``|``; backticks are escaped
    except in balanced code spans, which become ``<code>`` with the pipe as an entity."""
    text = " ".join(text.split())
    out, pos = [], 0
    for m in _CODE_SPAN.finditer(text):
        out.append(_plain(text[pos:m.start()]))
        out.append("<code>" + html.escape(m.group(1), quote=False).replace("|", "&#124;") + "</code>")
        pos = m.end()
    out.append(_plain(text[pos:]))
    return "".join(out)


def _where(r: Routed) -> str:
    if r.route is Route.BODY:
        return "over the inline comment cap" if r.commentable else "not on a line of the diff"
    if r.route is Route.EARLIER:
        return "posted by an earlier run"
    if r.route is Route.NOTE:
        return "below the inline severity: in the review's Notes"
    if r.route is Route.REFUSED:
        return "GitHub refused the inline anchor (422): in the review body"
    return "outside the diff hunks" if r.route is Route.FILE else ""


def _counts_table(findings: Sequence[Finding]) -> list[str]:
    by = Counter((f.category, f.severity) for f in findings)
    lines = ["| category | error | warning | info | total |", "|---|---:|---:|---:|---:|"]
    for cat in Category:
        total = sum(by[(cat, s)] for s in _SEVERITIES)
        if total:
            lines.append(f"| {cat.value} | " + " | ".join(str(by[(cat, s)]) for s in _SEVERITIES) + f" | {total} |")
    totals = [sum(1 for f in findings if f.severity is s) for s in _SEVERITIES]
    lines.append("| **all** | " + " | ".join(f"**{n}**" for n in totals) + f" | **{len(findings)}** |")
    return lines


def _row(f: Finding, where: str | None, r: Routed | None = None) -> str:
    location, rules = f"{f.path}:{f.line}", f.rule_id
    if r is not None and r.folded:
        others = len({(x.path, x.line) for x in r.also} - {(f.path, f.line)})
        location += f" (+{others} more place{'s' if others != 1 else ''})" if others else ""
        rules = " + ".join(dict.fromkeys([f.rule_id, *(m.rule_id for m in r.merged)]))
    cells = [f.severity.value, cell(location), cell(rules), cell(f.title)]
    if where is not None:
        cells.append(cell(where))
    return "| " + " | ".join(cells) + " |"


def _usage_line(usage: Any) -> str:
    requests = getattr(usage, "requests", 0)
    inp = getattr(usage, "input_tokens", 0)
    out = getattr(usage, "output_tokens", 0)
    cached = getattr(usage, "cache_read_tokens", 0)
    cost = getattr(usage, "est_cost_usd", None)
    context = getattr(usage, "context_tokens", 0)
    scope = getattr(usage, "scope", "")
    text = (f"Model usage: {requests} request{'s' if requests != 1 else ''}, {inp:,} input tokens "
            f"({cached:,} read from cache{f', about {context:,} of context' if context else ''}), "
            f"{out:,} output tokens")
    if cost is not None:
        text += f", estimated cost ${cost:.4f}"
    return text + (f". Model review: {scope}." if scope else ".")


def _size(lines: Iterable[str]) -> int:
    return sum(len(line.encode("utf-8")) + 1 for line in lines)


def render_summary(report: Report, routed: Sequence[Routed] | None = None, *, rules_only: bool,
                   notes: Iterable[str] = (), usage: Any = None, service_map: str | None = None,
                   review_url: str | None = None, limit: int = MAX_SUMMARY_BYTES) -> str:
    findings = report.findings
    files = len(report.files_reviewed)
    head = ["## arch-review", "",
            f"{counts_line(findings)} in {files} file{'s' if files != 1 else ''} ({report.rules_run} rules)."]
    if review_url:
        head += ["", f"Review posted: {review_url}"]
    if rules_only:
        head += ["", f"_{RULES_ONLY_LINE}_"]
    if findings:
        head += ["", *_counts_table(findings)]

    with_where = routed is not None and any(r.route is not Route.SUMMARY for r in routed)
    if routed is None:
        listed = [(f, None) for f in sorted(findings, key=lambda f: f.sort_key)]
        heading = "### Findings"
    else:
        listed = [(r.finding, r) for r in sorted(routed, key=lambda r: r.finding.sort_key)
                  if r.route is not Route.INLINE]
        heading = "### Findings not posted inline" if with_where else "### Findings"
    rows = [_row(f, _where(r) if with_where and r is not None else None, r) for f, r in listed]
    sizes = [r.size if r is not None else 1 for _, r in listed]
    table_head = ["", f"{heading} ({sum(sizes)})", "",
                  "| severity | location | rule | finding |" + (" why not inline |" if with_where else ""),
                  "|---|---|---|---|" + ("---|" if with_where else "")]

    all_notes = list(dict.fromkeys([*report.notes, *notes]))
    tail: list[str] = []
    if all_notes:
        tail += ["", "### Notes", "", *(f"- {cell(n)}" for n in all_notes)]
    if usage is not None:
        tail += ["", _usage_line(usage)]
    map_block = ["", "### Service map", "", "```mermaid", service_map.rstrip("\n"), "```"] if service_map else []

    cut_reserve = 200
    budget = limit - _size(head) - cut_reserve
    if map_block and _size(tail) + _size(map_block) > budget // 2:
        tail += ["", "_Service map left out: too large for the job summary._"]
        map_block = []
    if _size(tail) > budget // 2:  # thousands of notes: keep the first ones
        kept, size = [], 0
        for line in tail:
            size += len(line.encode("utf-8")) + 1
            if size > budget // 2:
                break
            kept.append(line)
        tail = [*kept, "- _(more notes cut)_"]
    budget -= _size(tail) + _size(map_block)

    body: list[str] = []
    if rows:
        body = list(table_head)
        budget -= _size(table_head)
        for i, row in enumerate(rows):
            size = len(row.encode("utf-8")) + 1
            if size > budget:
                cut = sum(sizes[i:])
                body += ["", f"_{cut} more finding{'s' if cut != 1 else ''} not listed here: GitHub limits a job "
                             "summary to 1 MiB. Every finding is in SARIF (input `sarif-file`) and in "
                             "`arch-review review --format json`._"]
                break
            body.append(row)
            budget -= size
    return "\n".join([*head, *body, *tail, *map_block]) + "\n"
