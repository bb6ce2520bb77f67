"""The planted-defect corpus: recall and precision of a base -> head review, per category.

Each case is ``cases/<name>/{base,head}/`` (a small service tree) plus ``expected.json``: the
findings the review of base -> head must report, ``[{"rule": id, "path": p, "line": n}]`` (``[]``
for a clean look-alike). The review runs as a PR run would: a unified diff of the two trees
(difflib) parsed into a ChangeSet, then ``review_change`` with the base tree at hand.

    python tests/corpus/run.py [-v] [CASE ...]   exits 1 when recall < 90% or precision < 95%
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from reviewer.config import Config
from reviewer.diff import parse_unified_diff
from reviewer.engine import review_change
from reviewer.rules.registry import all_rules
from reviewer.workspace.files import DictSource

CASES = Path(__file__).parent / "cases"
MIN_RECALL = 0.90
MIN_PRECISION = 0.95
Key = tuple[str, str, int]  # (rule id, path, line)


def read_tree(root: Path) -> dict[str, str]:
    if not root.is_dir():
        return {}
    return {p.relative_to(root).as_posix(): p.read_text() for p in sorted(root.rglob("*")) if p.is_file()}


def unified_diff(base: dict[str, str], head: dict[str, str]) -> str:
    """A ``git diff``-shaped text of two trees: added, removed and modified files."""
    out: list[str] = []
    for path in sorted(set(base) | set(head)):
        old, new = base.get(path), head.get(path)
        if old == new:
            continue
        out.append(f"diff --git a/{path} b/{path}\n")
        if old is None or new is None:  # as git writes them; unidiff needs them after a ``diff --git`` line
            out.append(f"{'new' if old is None else 'deleted'} file mode 100644\n")
        lines = difflib.unified_diff((old or "").splitlines(keepends=True), (new or "").splitlines(keepends=True),
                                     fromfile=f"a/{path}" if old is not None else "/dev/null",
                                     tofile=f"b/{path}" if new is not None else "/dev/null")
        out.extend(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)
    return "".join(out)


def expected_of(case: Path) -> set[Key]:
    items = json.loads((case / "expected.json").read_text())
    return {(i["rule"], i["path"], int(i["line"])) for i in items}


def review_case(case: Path) -> set[Key]:
    base, head = read_tree(case / "base"), read_tree(case / "head")
    changes = parse_unified_diff(unified_diff(base, head))
    if not changes.files:  # an unreadable diff would make every case look clean
        raise ValueError(f"{case.name}: no change between base/ and head/ ({'; '.join(changes.notes)})")
    report, _ = review_change(changes, DictSource(dict(head)), Config(), base=DictSource(dict(base)))
    return {(f.rule_id, f.path, f.line) for f in report.findings}


@dataclass
class Score:
    expected: Counter[str] = field(default_factory=Counter)  # per category
    reported: Counter[str] = field(default_factory=Counter)
    hits: Counter[str] = field(default_factory=Counter)
    misses: list[tuple[str, Key]] = field(default_factory=list)
    extras: list[tuple[str, Key]] = field(default_factory=list)
    positive: int = 0
    clean: int = 0

    def add(self, name: str, expected: set[Key], found: set[Key], category: dict[str, str]) -> None:
        self.positive += bool(expected)
        self.clean += not expected
        for key in expected:
            self.expected[category.get(key[0], "?")] += 1
        for key in found:
            self.reported[category.get(key[0], "?")] += 1
        for key in expected & found:
            self.hits[category.get(key[0], "?")] += 1
        self.misses += [(name, k) for k in sorted(expected - found)]
        self.extras += [(name, k) for k in sorted(found - expected)]

    def recall(self, cat: str | None = None) -> float:
        exp = self.expected[cat] if cat else sum(self.expected.values())
        hit = self.hits[cat] if cat else sum(self.hits.values())
        return hit / exp if exp else 1.0

    def precision(self, cat: str | None = None) -> float:
        rep = self.reported[cat] if cat else sum(self.reported.values())
        hit = self.hits[cat] if cat else sum(self.hits.values())
        return hit / rep if rep else 1.0

    @property
    def passed(self) -> bool:
        return self.recall() >= MIN_RECALL and self.precision() >= MIN_PRECISION

    def table(self) -> str:
        rows = [f"{'category':<12} {'expected':>8} {'reported':>8} {'recall':>7} {'precision':>9}"]
        for cat in sorted(set(self.expected) | set(self.reported)):
            rows.append(f"{cat:<12} {self.expected[cat]:>8} {self.reported[cat]:>8} "
                        f"{self.recall(cat):>7.0%} {self.precision(cat):>9.0%}")
        rows.append(f"{'overall':<12} {sum(self.expected.values()):>8} {sum(self.reported.values()):>8} "
                    f"{self.recall():>7.0%} {self.precision():>9.0%}")
        rows.append(f"{self.positive + self.clean} cases: {self.positive} with planted defects, {self.clean} clean")
        rows += [f"MISSED {n}: {k[0]} {k[1]}:{k[2]}" for n, k in self.misses]
        rows += [f"EXTRA  {n}: {k[0]} {k[1]}:{k[2]}" for n, k in self.extras]
        return "\n".join(rows)


def case_dirs(names: list[str] | None = None) -> list[Path]:
    cases = sorted(p for p in CASES.iterdir() if (p / "expected.json").is_file())
    return [c for c in cases if c.name in names] if names else cases


def score(cases: list[Path]) -> Score:
    category = {r.id: str(r.category) for r in all_rules()}
    result = Score()
    for case in cases:
        result.add(case.name, expected_of(case), review_case(case), category)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases", nargs="*", help="case names (default: all)")
    args = parser.parse_args(argv)
    result = score(case_dirs(args.cases))
    print(result.table())
    if not result.passed:
        print(f"FAIL: recall must be >= {MIN_RECALL:.0%} and precision >= {MIN_PRECISION:.0%}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
