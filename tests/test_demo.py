"""`make demo` end to end: scripts/demo.sh builds base/head from examples/ and reviews the PR, rules only.

examples/expected.json says which finding belongs on which line. Only entries whose rule is registered are
checked, so the demo stays green while rules are added, and tightens as they land.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from reviewer.rules.registry import all_rules

ROOT = Path(__file__).resolve().parents[1]
EXPECTED = json.loads((ROOT / "examples" / "expected.json").read_text())
_PREVIEW = re.compile(r"^  (?P<path>\S+):(?P<line>\d+)  (?P<rule>[a-z0-9-]+)(?:  .*)?$")


@pytest.fixture(scope="module")
def demo() -> subprocess.CompletedProcess:
    bin_ = Path(sys.executable).parent / "arch-review"
    if not bin_.exists():
        pytest.skip(f"{bin_} is not installed (pip install -e . creates it)")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "INPUT_", "ANTHROPIC_"))}
    return subprocess.run(["bash", str(ROOT / "scripts" / "demo.sh"), str(bin_)], capture_output=True, text=True,
                          timeout=120, env=env, cwd=ROOT)


def _reported(out: str) -> list[tuple[str, str, int]]:
    section = out.split("== what a pull_request run would post", 1)[1]
    return [(m["rule"], m["path"], int(m["line"])) for m in map(_PREVIEW.match, section.splitlines()) if m]


def test_demo_exits_zero_with_findings_and_says_it_is_rules_only(demo):
    assert demo.returncode == 0, demo.stderr
    assert "rules only: no anthropic-api-key" in demo.stdout
    assert "Traceback" not in demo.stderr
    assert re.search(r"would post 1 review with \d+ inline comments?:", demo.stdout)


def test_registered_rules_report_exactly_the_expected_lines(demo):
    registered = {r.id for r in all_rules()}
    expected = [e for e in EXPECTED["findings"] if e["rule"] in registered]
    reported = _reported(demo.stdout)
    by_rule: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for rule, path, line in reported:
        by_rule[rule].append((path, line))
    for e in expected:
        hits = by_rule.get(e["rule"], [])
        assert any(p == e["path"] and ln in e["lines"] for p, ln in hits), (
            f"{e['rule']} should report {e['path']}:{e['lines']}; reported {hits}\n{demo.stdout}")
    counts = defaultdict(int)
    for e in expected:
        counts[e["rule"]] += 1
    extra = [(rule, hits) for rule, hits in by_rule.items() if len(hits) != counts.get(rule, 0)]
    assert not extra, f"findings examples/expected.json does not list: {extra}"


def test_correct_code_gets_no_comment(demo):
    clean = {(c["path"], ln) for c in EXPECTED["clean"] for ln in c["lines"]}
    wrong = [r for r in _reported(demo.stdout) if (r[1], r[2]) in clean]
    assert not wrong, f"findings on lines that hold correct code: {wrong}"


def test_the_patch_turns_the_base_back_into_the_example_head(tmp_path):
    """examples/pr.patch and examples/monorepo must not drift apart: -R then forward gives the same tree."""
    subprocess.run(["cp", "-R", f"{ROOT / 'examples' / 'monorepo'}/.", str(tmp_path)], check=True)
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    patch = str(ROOT / "examples" / "pr.patch")
    subprocess.run(["git", "apply", "-R", patch], cwd=tmp_path, check=True)
    subprocess.run(["git", "apply", patch], cwd=tmp_path, check=True)
    subprocess.run(["rm", "-rf", str(tmp_path / ".git")], check=True)
    diff = subprocess.run(["diff", "-r", str(ROOT / "examples" / "monorepo"), str(tmp_path)], capture_output=True,
                          text=True)
    assert diff.returncode == 0, diff.stdout
