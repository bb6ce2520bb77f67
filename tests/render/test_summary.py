"""Job summary: counts, the findings that did not go inline, notes, usage, map; under 1 MiB."""

from __future__ import annotations

import re
from dataclasses import dataclass

from reviewer.model import Category, Finding, Report, Severity
from reviewer.render.summary import MAX_SUMMARY_BYTES, RULES_ONLY_LINE, cell, render_summary
from reviewer.routing import Route, Routed

_UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")


def _f(severity: Severity = Severity.WARNING, line: int = 1, **kw) -> Finding:
    base = dict(rule_id="k8s-missing-readiness-probe", severity=severity, category=Category.RESILIENCE,
                path="k8s/orders.yaml", line=line, title="Container has no readinessProbe", body="why", fix="fix")
    base.update(kw)
    return Finding(**base)


def _cells(row: str) -> list[str]:
    return [c.strip() for c in _UNESCAPED_PIPE.split(row.strip())[1:-1]]


def _table_rows(md: str, heading: str) -> list[list[str]]:
    block = md.split(heading, 1)[1].split("\n\n", 2)[1]
    return [_cells(r) for r in block.splitlines()[2:]]


@dataclass
class Usage:
    requests: int = 3
    input_tokens: int = 12000
    output_tokens: int = 900
    cache_read_tokens: int = 8000
    est_cost_usd: float = 0.0123


def test_counts_rules_only_once_notes_usage_and_map():
    report = Report(findings=[_f(Severity.ERROR, 3, category=Category.SECURITY), _f(line=5), _f(Severity.INFO, 9)],
                    notes=["charts/x/templates/d.yaml: Helm template, templated lines skipped"],
                    files_reviewed=["k8s/orders.yaml", "app.py"], rules_run=40)
    md = render_summary(report, rules_only=True, notes=["model: skipped", report.notes[0]], usage=Usage(),
                        service_map="graph LR\n  orders --> inventory\n", review_url="https://gh.example/r/1")
    assert md.startswith("## arch-review\n\n3 findings (1 error, 1 warning, 1 info) in 2 files (40 rules).\n")
    assert md.count(RULES_ONLY_LINE) == 1
    assert "Review posted: https://gh.example/r/1" in md
    assert "| resilience | 0 | 1 | 1 | 2 |" in md and "| security | 1 | 0 | 0 | 1 |" in md
    assert "| **all** | **1** | **1** | **1** | **3** |" in md
    rows = _table_rows(md, "### Findings (3)")
    assert [r[:2] for r in rows] == [["error", "k8s/orders.yaml:3"], ["warning", "k8s/orders.yaml:5"],
                                     ["info", "k8s/orders.yaml:9"]]
    notes = md.split("### Notes\n\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert notes == ["- charts/x/templates/d.yaml: Helm template, templated lines skipped", "- model: skipped"]
    assert ("Model usage: 3 requests, 12,000 input tokens (8,000 read from cache), 900 output tokens, "
            "estimated cost $0.0123.") in md
    assert "```mermaid\ngraph LR\n  orders --> inventory\n```\n" in md


def test_with_a_key_the_rules_only_line_is_absent_and_no_findings_no_table():
    md = render_summary(Report(files_reviewed=["a.py"], rules_run=5), rules_only=False)
    assert RULES_ONLY_LINE not in md and "|" not in md
    assert "no findings in 1 file (5 rules)." in md


def test_only_findings_that_did_not_go_inline_are_listed_with_the_reason():
    inline, file_level, over_cap, elsewhere = (_f(Severity.ERROR, 1), _f(line=2), _f(line=3), _f(line=4, path="b.py"))
    routed = [Routed(inline, Route.INLINE, True, None, 1), Routed(file_level, Route.FILE, False),
              Routed(over_cap, Route.BODY, True), Routed(elsewhere, Route.BODY, False)]
    md = render_summary(Report(findings=[inline, file_level, over_cap, elsewhere]), routed, rules_only=False)
    rows = _table_rows(md, "### Findings not posted inline (3)")
    assert [(r[1], r[4]) for r in rows] == [("b.py:4", "not on a line of the diff"),
                                           ("k8s/orders.yaml:2", "outside the diff hunks"),
                                           ("k8s/orders.yaml:3", "over the inline comment cap")]
    assert "| **all** | **1** | **3** | **0** | **4** |" in md  # counts still cover every finding


def test_cells_escape_pipes_newlines_and_backticks():
    hostile = _f(title="`a|b` and | pipe\nnew line ``` fence <script> **x** `unclosed", path="we|ird.py")
    md = render_summary(Report(findings=[hostile]), rules_only=False)
    (row,) = _table_rows(md, "### Findings (1)")
    assert len(row) == 4
    assert row[1] == r"we\|ird.py:1"
    assert row[3] == (r"<code>a&#124;b</code> and \| pipe new line \`\`\` fence &lt;script&gt; \*\*x\*\* \`unclosed")
    assert "\n" not in cell("a\nb\r\nc") and cell("a\nb\r\nc") == "a b c"


def test_stays_under_one_mib_and_says_how_many_rows_were_cut():
    findings = [_f(line=n, title="x" * 300) for n in range(1, 6001)]
    md = render_summary(Report(findings=findings), rules_only=True, notes=[f"note {i}" for i in range(50)],
                        service_map="graph LR\n  a --> b\n")
    size = len(md.encode("utf-8"))
    assert MAX_SUMMARY_BYTES - 2000 < size <= MAX_SUMMARY_BYTES < 1024 * 1024
    shown = len(_table_rows(md, "### Findings (6000)"))
    m = re.search(r"_(\d+) more findings not listed here: GitHub limits a job summary to 1 MiB. Every finding is in "
                  r"SARIF \(input `sarif-file`\) and in `arch-review review --format json`", md)
    assert m and shown + int(m.group(1)) == 6000 and shown > 1000
    assert "- note 49" in md and "```mermaid" in md  # the tail survives the cut


def test_a_huge_service_map_is_dropped_with_a_line_saying_so():
    md = render_summary(Report(findings=[_f()]), rules_only=False, service_map="graph LR\n" + "  a --> b\n" * 200000)
    assert "```mermaid" not in md and "Service map left out" in md
    assert len(md.encode()) < MAX_SUMMARY_BYTES
