"""Every rule: its bad tree raises exactly the marked lines, its good tree raises nothing."""

from __future__ import annotations

import pytest

from reviewer.rules.registry import all_rules
from tests.rules.casefiles import case_dirs, expected_hits, run_case

CASES = case_dirs()


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_tree_raises_exactly_the_marked_lines(case):
    expected = expected_hits(case / "bad")
    assert {e for e in expected if e[0] == case.name}, f"{case.name}/bad has no '# expect: {case.name}' marker"
    found, _ = run_case(case / "bad")
    assert {h for h in found if h[0] == case.name} == {e for e in expected if e[0] == case.name}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_good_tree_raises_nothing_for_the_rule(case):
    found, _ = run_case(case / "good")
    assert {h for h in found if h[0] == case.name} == set()


def test_every_rule_has_a_bad_and_a_good_case():
    names = {c.name for c in CASES if (c / "bad").is_dir() and (c / "good").is_dir()}
    missing = [r.id for r in all_rules() if r.id not in names]
    assert missing == []
