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
