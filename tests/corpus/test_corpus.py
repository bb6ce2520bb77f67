"""The planted-defect corpus holds its recall and precision (``make corpus`` prints the table)."""

from __future__ import annotations

import json

from reviewer.rules.registry import rule_ids
from tests.corpus.run import MIN_PRECISION, MIN_RECALL, case_dirs, score


def test_the_corpus_meets_its_recall_and_precision_floors():
    result = score(case_dirs())
    assert result.recall() >= MIN_RECALL, result.table()
    assert result.precision() >= MIN_PRECISION, result.table()


def test_every_case_is_well_formed():
    known = rule_ids()
    for case in case_dirs():
        assert (case / "head").is_dir(), f"{case.name} has no head/ tree"
        for item in json.loads((case / "expected.json").read_text()):
            assert item["rule"] in known, f"{case.name}: unknown rule {item['rule']}"
            assert (case / "head" / item["path"]).is_file(), f"{case.name}: {item['path']} is not in head/"


def test_the_diff_of_two_trees_marks_added_removed_and_changed_files():
    from reviewer.diff import FileStatus, parse_unified_diff
    from tests.corpus.run import unified_diff

    changes = parse_unified_diff(unified_diff({"a.py": "x = 1\n", "gone.py": "y = 2\n"},
                                              {"a.py": "x = 1\nz = 3\n", "new.py": "w = 4\n"}))
    assert {p: c.status for p, c in changes.files.items()} == {
        "a.py": FileStatus.MODIFIED, "gone.py": FileStatus.REMOVED, "new.py": FileStatus.ADDED}
    assert changes.get("a.py").is_changed_line(2) and not changes.get("a.py").is_changed_line(1)


def test_a_miss_and_an_extra_cost_recall_and_precision_in_their_categories():
    from tests.corpus.run import Score

    score = Score()
    category = {"r-one": "resilience", "r-two": "security"}
    expected = {("r-one", "a.py", 1), ("r-one", "a.py", 5)}
    score.add("case", expected, {("r-one", "a.py", 1), ("r-two", "b.py", 2)}, category)
    assert (score.recall("resilience"), score.precision("resilience")) == (0.5, 1.0)
    assert (score.recall(), score.precision()) == (0.5, 0.5)
    assert score.misses == [("case", ("r-one", "a.py", 5))] and score.extras == [("case", ("r-two", "b.py", 2))]
    assert not score.passed
