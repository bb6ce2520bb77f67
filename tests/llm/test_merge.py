from reviewer.merge import merge_findings
from reviewer.model import Category, Finding, Severity, Source


def rule(line, category=Category.RESILIENCE, title="HTTP call without a timeout", rule_id="http-call-without-timeout"):
    return Finding(rule_id, Severity.WARNING, category, "app.py", line, title, "why", anchor_text=f"code {line}")


def llm(line, category=Category.RESILIENCE, title="No deadline on the inventory call", confidence=0.8, path="app.py",
        anchor="x = 1"):
    return Finding(f"llm-{category.value}", Severity.WARNING, category, path, line, title, "why",
                   source=Source.LLM, confidence=confidence, anchor_text=anchor)


def test_a_model_finding_making_the_rules_point_at_its_place_is_dropped_and_the_rules_wording_stays():
    merged = merge_findings([rule(10)], [llm(11)])  # "No deadline on the inventory call" = the timeout rule
    assert [(f.rule_id, f.line, f.body) for f in merged.findings] == [("http-call-without-timeout", 10, "why")]
    assert merged.duplicates == 1
    assert merged.notes == ["model review: 1 finding(s) dropped as duplicates of other findings"]


def test_another_point_on_the_rules_line_is_carried_in_the_same_comment_as_an_architects_note():
    fallback = llm(11, title="No fallback when inventory is down").with_(
        body="Orders fail outright while inventory restarts.", fix="return cached_stock(item_id)")
    merged = merge_findings([rule(10)], [fallback])
    [only] = merged.findings
    assert only.rule_id == "http-call-without-timeout" and only.fingerprint() == rule(10).fingerprint()
    assert only.body.startswith("why\n\n**Architect's note:** No fallback when inventory is down. Orders fail")
    assert "return cached_stock(item_id)" in only.body
    assert merged.duplicates == 0 and merged.noted == 1
    assert merged.notes == ["model review: 1 finding(s) added to a rule's comment on the same line as an "
                            "Architect's note"]


def test_same_words_in_another_category_count_as_the_same_point():
    merged = merge_findings([rule(10)], [llm(10, Category.OPERABILITY, "Outbound HTTP call has no timeout set")])
    assert merged.duplicates == 1 and len(merged.findings) == 1 and merged.findings[0].body == "why"


def test_a_commonplace_word_alone_does_not_make_the_same_point():
    merged = merge_findings([rule(10)], [llm(10, title="HTTP response status is never checked")])
    assert merged.duplicates == 0 and merged.noted == 1


def test_far_away_or_other_file_is_not_a_duplicate():
    merged = merge_findings([rule(10)], [llm(20), llm(10, path="other.py")])
    assert merged.duplicates == 0 and len(merged.findings) == 3


def test_between_model_findings_the_more_confident_one_stays():
    merged = merge_findings([], [llm(5, confidence=0.7, title="A"), llm(5, confidence=0.95, title="B")])
    assert [f.title for f in merged.findings] == ["B"]


def test_repeats_on_the_same_anchor_code_get_distinct_fingerprints():
    merged = merge_findings([], [llm(5, anchor="retry()"), llm(40, anchor="retry()", title="Unbounded retries")])
    assert len(merged.findings) == 2
    assert len({f.fingerprint() for f in merged.findings}) == 2
