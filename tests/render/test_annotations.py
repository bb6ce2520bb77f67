"""Runner annotations: @actions/core escaping, most severe first, the runner's 10-per-type cap."""

from __future__ import annotations

import re

from reviewer.model import Category, Finding, Severity
from reviewer.render.annotations import render_annotations

_COMMAND = re.compile(r"^::(error|warning|notice) (?P<props>[^:]*)::(?P<msg>.*)$")


def _unescape_data(text: str) -> str:
    # the runner's ActionCommand unescape order: %0D, %0A, then %25 last
    return text.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")


def _unescape_property(text: str) -> str:
    return _unescape_data(text.replace("%3A", ":").replace("%2C", ","))


def parse(line: str) -> tuple[str, dict[str, str], str]:
    m = _COMMAND.match(line)
    assert m, line
    props = dict(p.split("=", 1) for p in m.group("props").split(","))
    return m.group(1), {k: _unescape_property(v) for k, v in props.items()}, _unescape_data(m.group("msg"))


def _f(severity: Severity = Severity.WARNING, line: int = 1, **kw) -> Finding:
    base = dict(rule_id="compose-depends-on-not-healthy", severity=severity, category=Category.RESILIENCE,
                path="docker-compose.yml", line=line, title="depends_on waits only for start", body="why",
                fix="depends_on:\n  db:\n    condition: service_healthy", fix_is_example=False)
    base.update(kw)
    return Finding(**base)


def test_hostile_text_round_trips_and_cannot_inject_a_command():
    title = "100% bad: a, b\r\n::error file=x::injected"
    path = "svc/odd,name:1%.py"
    out = render_annotations([_f(Severity.ERROR, 7, end_line=9, title=title, path=path)])
    lines = out.splitlines()
    assert len(lines) == 1
    command, props, msg = parse(lines[0])
    assert command == "error"
    assert props == {"file": path, "line": "7", "endLine": "9",
                     "title": "arch-review compose-depends-on-not-healthy"}
    assert msg == f"{title}\nFix:\ndepends_on:\n  db:\n    condition: service_healthy"
    assert "\r" not in out[:-1] and out.count("\n") == 1


def test_levels_and_order_most_severe_first():
    out = render_annotations([_f(Severity.INFO, 3), _f(Severity.WARNING, 2), _f(Severity.ERROR, 9),
                              _f(Severity.ERROR, 4, path="a.py")])
    parsed = [parse(line) for line in out.splitlines()]
    assert [(c, p["file"], p["line"]) for c, p, _ in parsed] == [
        ("error", "a.py", "4"), ("error", "docker-compose.yml", "9"),
        ("warning", "docker-compose.yml", "2"), ("notice", "docker-compose.yml", "3")]
    assert "endLine" not in parsed[0][1]


def test_cap_per_type_then_one_plain_line_counting_the_rest():
    findings = [_f(Severity.ERROR, n) for n in range(1, 14)] + [_f(Severity.WARNING, n) for n in range(1, 5)]
    lines = render_annotations(findings).splitlines()
    commands = [parse(line)[0] for line in lines[:-1]]
    assert commands == ["error"] * 10 + ["warning"] * 4
    assert [parse(line)[1]["line"] for line in lines[:10]] == [str(n) for n in range(1, 11)]
    assert not lines[-1].startswith("::")
    assert lines[-1].startswith("arch-review: 3 more findings not shown as annotations (3 errors)")

    small = render_annotations(findings, limit_per_type=2).splitlines()
    assert len(small) == 5 and "13 more findings" in small[-1] and "(11 errors, 2 warnings)" in small[-1]


def test_a_long_fix_is_cut_to_a_dozen_lines():
    fix = "\n".join(f"line {n}" for n in range(1, 31))
    _, _, msg = parse(render_annotations([_f(fix=fix)]).splitlines()[0])
    assert msg.splitlines()[1:] == ["Fix:", *(f"line {n}" for n in range(1, 13)), "..."]


def test_no_findings_no_output():
    assert render_annotations([]) == ""
