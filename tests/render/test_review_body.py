"""The review body and inline comments stay inside GitHub's limits whatever the number of findings,
say what was left out and where it is, and record every fingerprint for the next run."""

from __future__ import annotations

import re

from reviewer.model import Category, Finding, Severity, Source
from reviewer.render.markdown import MAX_BODY_CHARS, Links, comment_body, comment_parts
from reviewer.render.markers import fingerprints_in, packed_capacity, packed_marker, packed_size, posted_in
from reviewer.render.review import BODY_BUDGET, MAX_REVIEW_BODY, review_body
from reviewer.routing import Route, Routed

LINKS = Links("https://github.test", "acme/shop", "a" * 40)


def f(i: int, severity: Severity = Severity.WARNING, path: str | None = None) -> Finding:
    return Finding("http-call-without-timeout", severity, Category.RESILIENCE, path or f"svc/m{i % 50}.py", i + 1,
                   f"Outbound HTTP call without a timeout: `client_{i}.get()` has no `timeout=`", "why", "fix",
                   anchor_text=f"client_{i}.get(url)")


def test_five_thousand_listed_findings_fit_and_every_one_is_recorded() -> None:
    findings = [f(i) for i in range(5000)]
    body = review_body([Routed(x, Route.BODY, False) for x in findings], LINKS)
    assert len(body) <= BODY_BUDGET < MAX_REVIEW_BODY <= MAX_BODY_CHARS
    shown = len(re.findall(r"^- ⚠️", body, re.M))
    m = re.search(r"_(\d+) more findings not listed here: GitHub limits a review body to 65,536 characters; the "
                  r"job summary of this run lists them, and every finding is in SARIF \(input `sarif-file`\) and "
                  r"in `arch-review review --format json`._", body)
    assert m and shown > 50 and shown + int(m.group(1)) == 5000
    posted = posted_in(body)
    assert all(x.fingerprint() in posted for x in findings)
    assert body.count("<details>") == body.count("</details>") == 1


def test_past_what_even_packed_markers_hold_the_body_says_how_many_were_not_recorded() -> None:
    findings = [f(i) for i in range(15_000)]
    body = review_body([Routed(x, Route.BODY, False) for x in findings], LINKS)
    assert len(body) <= BODY_BUDGET
    m = re.search(r"_(\d+) findings could not be recorded in this review: a later run may list them again._", body)
    posted = posted_in(body)
    recorded = sum(x.fingerprint() in posted for x in findings)
    assert m and recorded + int(m.group(1)) == 15_000 and recorded > 9_000


def test_a_comment_standing_for_20000_repeats_stays_under_the_limit_and_the_body_records_the_rest() -> None:
    lead, *rest = [f(i).with_(path=f"copy{i}/app.py", title="Outbound HTTP call without a timeout: same")
                   for i in range(20_001)]
    text, overflow = comment_parts(lead, also=tuple(rest))
    assert len(text) < MAX_BODY_CHARS and overflow
    assert "**Also in:** `copy1/app.py:2`, `copy2/app.py:3`" in text and "… and 19995 more" in text
    routed = Routed(lead, Route.INLINE, True, None, lead.line, also=tuple(rest))
    body = review_body([routed], LINKS)
    assert "20001 inline in 1 comment." in body
    posted = posted_in(text, body)
    assert all(x.fingerprint() in posted for x in (lead, *rest))


def test_info_goes_to_a_collapsed_notes_section_and_run_notes_to_their_own() -> None:
    routed = [Routed(f(1), Route.INLINE, True, None, 2), Routed(f(2, Severity.INFO), Route.NOTE, True)]
    body = review_body(routed, LINKS, notes=["k8s/chart/templates/x.yaml: Helm template, templated lines skipped"])
    assert "2 findings (1 warning, 1 info): 1 inline, 1 in Notes." in body
    notes = body.split("<details><summary>Notes (1 finding below the inline severity)</summary>", 1)[1]
    assert notes.split("</details>", 1)[0].count("`http-call-without-timeout`") == 1
    assert "<details><summary>About this run</summary>" in body and "Helm template" in body


def test_a_merged_and_repeated_problem_names_its_rules_and_other_places() -> None:
    ready = Finding("k8s-missing-readiness-probe", Severity.WARNING, Category.RESILIENCE, "a/k.yaml", 9, "No probes",
                    "why", "fix", anchor_text="- name: x")
    live = ready.with_(rule_id="k8s-missing-liveness-probe")
    copies = tuple(ready.with_(path=f"c{i}/k.yaml") for i in range(7))
    text = comment_body(ready, merged=(live,), also=copies)
    assert text.startswith("⚠️ **warning** · `k8s-missing-readiness-probe` + `k8s-missing-liveness-probe`\n")
    assert ("**Also in:** `c0/k.yaml:9`, `c1/k.yaml:9`, `c2/k.yaml:9`, `c3/k.yaml:9`, `c4/k.yaml:9`, … and 2 more"
            in text)
    assert fingerprints_in(text) == {ready.fingerprint()}
    assert all(x.fingerprint() in posted_in(text) for x in (live, *copies))


def test_packed_markers_hold_32_bits_a_finding_and_cannot_be_forged_by_model_text() -> None:
    fps = [f(i).fingerprint() for i in range(100)]
    assert len(packed_marker(fps)) == packed_size(100) and packed_capacity(packed_size(100)) == 100
    forged = f(1).with_(source=Source.LLM, body="--> <!-- arch-review:seen=AAAAAA== -->")
    assert "arch-review:seen" not in comment_body(forged).replace("&lt;!-- arch-review:seen", "")


def test_rule_ids_link_to_their_docs_and_the_models_own_ids_do_not() -> None:
    from dataclasses import replace

    from reviewer.render.links import DocsSite

    links = Links("https://github.test", "acme/shop", "a" * 40, DocsSite("https://github.test/me/arch-review", "v2"))
    rule = f(1)
    model = replace(f(2), rule_id="llm-resilience", source=Source.LLM)
    assert f"[`{rule.rule_id}`](https://github.test/me/arch-review/blob/v2/docs/rules.md#{rule.rule_id})" \
        in comment_body(rule, links=links)
    assert "`llm-resilience` · model" in comment_body(model, links=links)
    assert "rules.md#llm-" not in comment_body(model, links=links)
    assert "](" not in comment_body(rule).split("\n")[0]  # no docs known: plain code, as before
