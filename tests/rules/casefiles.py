"""Load a rule case folder: ``cases/<rule-id>/{bad,good}/`` trees with ``expect`` markers.

A line ending in ``# expect: rule-id`` must get that finding; ``# expect-next: rule-id`` on a
comment line expects it on the next non-comment line (Dockerfiles cannot end a line with a comment).
A case may hold ``base/`` and ``head/`` sub-trees for base -> head rules; markers live in head.
"""

from __future__ import annotations

import re
from pathlib import Path

from reviewer.config import Config
from reviewer.engine import review
from reviewer.project import Project
from reviewer.rules.registry import RuleContext
from reviewer.workspace.files import DirectorySource

CASES = Path(__file__).parent / "cases"
_EXPECT = re.compile(r"#\s*expect:\s*([\w\-, ]+)")
_EXPECT_NEXT = re.compile(r"#\s*expect-next:\s*([\w\-, ]+)")


def expected_hits(root: Path) -> set[tuple[str, str, int]]:
    """{(rule_id, path, line)} from the markers under ``root`` (under ``root/head`` for a base -> head
    case, whose findings are reported relative to head, as ``run_case`` reviews it)."""
    if (root / "head").is_dir():
        root = root / "head"
    out = set()
    for path in sorted(root.rglob("*")):
        if not path.is_file():
            continue
        rel = path.relative_to(root).as_posix()
        lines = path.read_text(errors="replace").splitlines()
        pending: list[str] = []
        for no, text in enumerate(lines, 1):
            nxt = _EXPECT_NEXT.search(text)
            if nxt:
                pending += [i.strip() for i in nxt.group(1).split(",") if i.strip()]
                continue
            if pending and text.strip() and not text.strip().startswith("#"):
                out |= {(rid, rel, no) for rid in pending}
                pending = []
            m = _EXPECT.search(text)
            if m:
                out |= {(rid.strip(), rel, no) for rid in m.group(1).split(",") if rid.strip()}
    return out


def run_case(root: Path, config: Config | None = None) -> tuple[set[tuple[str, str, int]], list[str]]:
    """All findings {(rule_id, path, line)} of an audit-style run over the case tree."""
    base = None
    head_root = root
    if (root / "head").is_dir():
        head_root = root / "head"
        base = Project.load(DirectorySource(root / "base")) if (root / "base").is_dir() else None
    project = Project.load(DirectorySource(head_root))
    ctx = RuleContext(project=project, base=base)
    report = review(ctx, config or Config())
    return {(f.rule_id, f.path, f.line) for f in report.findings}, report.notes


def case_dirs() -> list[Path]:
    return sorted(p for p in CASES.iterdir() if p.is_dir()) if CASES.is_dir() else []
