"""How a fix reads: one built from the finding is "Fix", the rule's stock one is "Example fix", and a
local, mechanical fix becomes a GitHub ```suggestion block holding exactly the replacement lines."""

from __future__ import annotations

import json

from reviewer.model import Category, Finding, Report, Severity, Source
from reviewer.render.annotations import render_annotations
from reviewer.render.markdown import comment_body, render_report_markdown
from reviewer.render.text import render_json, render_text

STOCK = "depends_on:\n  db:\n    condition: service_healthy"
SUGGESTION = "      db:  # the primary\n        condition: service_healthy"


def _f(**kw: object) -> Finding:
    base: dict = dict(rule_id="compose-depends-on-not-healthy", severity=Severity.WARNING,
                      category=Category.RESILIENCE, path="docker-compose.yml", line=5,
                      title="`depends_on` waits for the container to start", body="why", fix=STOCK)
    base.update(kw)
    return Finding(**base)


def test_a_suggestion_is_a_suggestion_fence_with_the_exact_text():
    body = comment_body(_f(fix="api:\n  depends_on:\n    db:\n      condition: service_healthy",
                           fix_is_example=False, suggestion=SUGGESTION, end_line=6))
    assert f"```suggestion\n{SUGGESTION}\n```" in body
    assert body.index("**Fix**") < body.index("```suggestion")


def test_a_fix_that_is_the_suggestion_is_shown_once():
    body = comment_body(_f(fix="db:  # the primary\n  condition: service_healthy", fix_is_example=False,
                           suggestion=SUGGESTION))
    assert "**Fix**" not in body and body.count("condition: service_healthy") == 1
    assert "```suggestion\n" in body


def test_backticks_in_the_suggestion_lengthen_the_fence():
    text = 'CMD ["sh", "-c", "echo ```"]'
    body = comment_body(_f(path="Dockerfile", fix_is_example=False, suggestion=text))
    assert f"````suggestion\n{text}\n````" in body


def test_a_suggestion_that_could_forge_a_marker_is_not_offered():
    f = _f(fix_is_example=False, suggestion="  x: 1  # --> <!-- arch-review:fp=0123456789abcdef -->")
    assert "```suggestion" not in comment_body(f)


def test_the_stock_fix_is_labelled_example_everywhere():
    example = _f()
    assert "**Example fix**\n\n```yaml\n" + STOCK in comment_body(example)
    assert "**Example fix**" in render_report_markdown(Report(findings=[example]))
    assert "      example fix: depends_on: db: condition: service_healthy" in render_text(Report(findings=[example]))
    assert "\nExample fix:\ndepends_on:" in render_annotations([example]).replace("%0A", "\n")


def test_a_fix_built_from_the_finding_is_labelled_fix():
    built = _f(fix="api:\n  depends_on:\n    db:\n      condition: service_healthy", fix_is_example=False)
    assert "**Fix**\n\n```yaml\napi:" in comment_body(built) and "Example" not in comment_body(built)
    assert "      fix: api: depends_on: db: condition: service_healthy" in render_text(Report(findings=[built]))


def test_a_model_fix_is_never_called_an_example():
    llm = _f(rule_id="llm-resilience", source=Source.LLM, fix="await client.get(url, timeout=5)")
    assert "**Fix**" in comment_body(llm) and "Example" not in comment_body(llm)


def test_json_says_whether_the_fix_is_an_example_and_carries_the_suggestion():
    report = Report(findings=[_f(), _f(line=9, fix_is_example=False, suggestion=SUGGESTION, end_line=10)])
    example, built = json.loads(render_json(report))["findings"]
    assert example["fix_is_example"] is True and "suggestion" not in example
    assert built["fix_is_example"] is False and built["suggestion"] == SUGGESTION and built["end_line"] == 10
