from reviewer.merge import merge_findings
from reviewer.model import Category, Finding, Severity, Source


def rule(line, category=Category.RESILIENCE, title="HTTP call without a timeout", rule_id="http-call-without-timeout"):
    return Finding(rule_id, Severity.WARNING, category, "app.py", line, title, "why", anchor_text=f"code {line}")


def llm(line, category=Category.RESILIENCE, title="No deadline on the inventory call", confidence=0.8, path="app.py",
        anchor="x = 1"):
    return Finding(f"llm-{category.value}", Severity.WARNING, category, path, line, title, "why",
                   source=Source.LLM, confidence=confidence, anchor_text=anchor)


def test_a_model_finding_at_the_same_place_and_topic_as_a_rule_is_dropped():
    merged = merge_findings([rule(10)], [llm(11), llm(10, Category.FASTAPI, "Sync client blocks the event loop")])
    assert [(f.rule_id, f.line) for f in merged.findings] == [("http-call-without-timeout", 10), ("llm-fastapi", 10)]
    assert merged.duplicates == 1
    assert merged.notes == ["model review: 1 finding(s) dropped as duplicates of other findings"]


def test_same_words_in_another_category_count_as_the_same_topic():
    merged = merge_findings([rule(10)], [llm(10, Category.OPERABILITY, "Outbound HTTP call has no timeout set")])
    assert merged.duplicates == 1 and len(merged.findings) == 1


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
