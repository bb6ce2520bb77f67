"""The catalog exists once, in the registry: docs/rules.md and `arch-review rules` are generated."""

import io
import json
from pathlib import Path

import pytest

from reviewer.cli import main
from reviewer.render.catalog import render_catalog
from reviewer.rules.registry import REGISTRY, RuleDefinitionError, all_rules, rule

DOCS = Path(__file__).resolve().parents[1] / "docs" / "rules.md"


def test_docs_rules_md_is_regenerated_from_the_registry():
    assert DOCS.read_text() == render_catalog("markdown"), "docs/rules.md is stale: run `make docs`"


def test_rules_command_lists_every_rule_as_text_and_json():
    out = io.StringIO()
    assert main(["rules", "--format", "json"], out) == 0
    listed = json.loads(out.getvalue())
    assert [r["id"] for r in listed] == [r.id for r in all_rules()]
    assert all(r["why"] and r["fix"] and r["title"] for r in listed)
    out = io.StringIO()
    assert main(["rules"], out) == 0
    assert out.getvalue().splitlines()[-1] == f"{len(all_rules())} rules"


def test_catalog_covers_the_issue_minimum():
    ids = {r.id for r in all_rules()}
    assert len(ids) >= 45
    assert {i for i in ids if i.startswith(("boundary-", "api-"))} >= {
        "boundary-shared-database", "boundary-cross-service-import", "boundary-shared-table",
        "boundary-sync-call-cycle", "boundary-sync-call-chain", "api-response-field-removed",
        "api-request-field-now-required", "api-field-type-changed", "api-route-removed",
        "api-enum-value-removed", "api-success-status-changed"}


def test_a_rule_without_why_or_fix_or_with_a_repeated_id_fails_at_registration():
    def no_fix(f, ctx):
        """Title only

        Why: because.
        """

    with pytest.raises(RuleDefinitionError, match=r"Why:.*Fix:"):
        rule("zz-test-no-fix", category=all_rules()[0].category, severity=all_rules()[0].severity,
             kinds=all_rules()[0].kinds)(no_fix)
    existing = next(iter(REGISTRY))
    with pytest.raises(RuleDefinitionError, match="registered twice"):
        rule(existing, category=all_rules()[0].category, severity=all_rules()[0].severity,
             kinds=all_rules()[0].kinds)(lambda f, ctx: iter(()))
    assert "zz-test-no-fix" not in REGISTRY


def test_the_family_table_matches_the_registered_rules():
    from pathlib import Path

    from reviewer.rules.registry import RULE_MODULES, Scope, all_rules

    rules = all_rules()
    files = {p.stem for p in (Path(__file__).resolve().parents[1] / "reviewer" / "rules").glob("*.py")}
    assert set(RULE_MODULES) == files - {"__init__", "registry"}
    for name, (kinds, cross) in RULE_MODULES.items():
        mine = [r for r in rules if r.module == name]
        assert kinds == frozenset().union(*(r.kinds for r in mine if r.scope is Scope.FILE and not r.reads_model)), name
        assert cross == any(r.cross_file for r in mine), name


def test_a_review_of_python_only_loads_the_python_families():
    import subprocess
    import sys

    probe = ("import sys; from reviewer.rules.registry import rules_for; from reviewer.classify import FileKind; "
             "rules_for({FileKind.PYTHON}, False); "
             "print(sorted(m for m in sys.modules if m.startswith('reviewer.rules.')))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert "reviewer.rules.fastapi" in out and "reviewer.rules.compose" not in out and "k8s" not in out
