"""What users read, kept as golden files and reviewed in diffs: the demo PR's inline comments, review
body and job summary, the audit's SARIF and service map. ``UPDATE_GOLDEN=1 pytest tests/test_golden.py``
rewrites them after an intended change."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from reviewer import __version__
from reviewer.config import Config
from reviewer.diff import parse_unified_diff
from reviewer.engine import audit_tree, review_change
from reviewer.render.markdown import Links, comment_of
from reviewer.render.mermaid import render_service_map
from reviewer.render.review import review_body
from reviewer.render.sarif import render_sarif
from reviewer.render.summary import render_summary
from reviewer.routing import Placement, Route, plan_review
from reviewer.workspace.files import DirectorySource

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = Path(__file__).parent / "golden"
MONOREPO = ROOT / "examples" / "monorepo"


def check(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(text)
    assert path.exists(), f"{path} missing: run UPDATE_GOLDEN=1 pytest {__file__}"
    assert text == path.read_text(), f"{name} changed: review the diff, then UPDATE_GOLDEN=1 to accept"


@pytest.fixture(scope="module")
def demo_review(tmp_path_factory):
    patch = ROOT / "examples" / "pr.patch"
    changes = parse_unified_diff(patch.read_text())
    base = tmp_path_factory.mktemp("demo-base")
    shutil.copytree(MONOREPO, base, dirs_exist_ok=True)
    subprocess.run(["git", "apply", "-R", "--unsafe-paths", "--directory", ".", str(patch)], cwd=base, check=True)
    report, _ = review_change(changes, DirectorySource(MONOREPO), Config(), base=DirectorySource(base))
    return report, plan_review(report.findings, changes, Placement(5))  # what the Action would post


def test_demo_inline_comments(demo_review):
    _, routed = demo_review
    inline = [r for r in routed if r.route is Route.INLINE]
    text = "\n\n---\n\n".join(f"{r.finding.path}:{r.comment_line}\n\n{comment_of(r)}" for r in inline)
    check("demo-inline-comments.md", text + "\n")


def test_demo_review_body_and_summary(demo_review):
    report, routed = demo_review
    check("demo-review-body.md", review_body(routed, Links("https://github.com", "acme/shop", "a" * 40)) + "\n")
    check("demo-summary.md", render_summary(report, routed, rules_only=True) + "\n")


def test_audit_sarif_and_service_map():
    report, ctx = audit_tree(DirectorySource(MONOREPO), Config())
    sarif = json.loads(render_sarif(report))
    sarif["runs"][0]["tool"]["driver"]["version"] = "VERSION"  # a release must not churn the golden file
    assert render_sarif(report).count(__version__) >= 1
    check("audit.sarif.json", json.dumps(sarif, indent=2, sort_keys=True) + "\n")
    check("audit-service-map.mmd", render_service_map(ctx.project) + "\n")
