"""What the case trees cannot say with markers: one finding per problem, and severities graded by context."""

from __future__ import annotations

from reviewer.config import Config
from reviewer.engine import review
from reviewer.project import Project
from reviewer.rules.registry import RuleContext
from reviewer.workspace.files import DirectorySource
from tests.rules.casefiles import CASES


def _findings(case: str, side: str = "bad") -> list:
    project = Project.load(DirectorySource(CASES / case / side))
    return review(RuleContext(project=project), Config()).findings


def test_a_shared_probe_handler_doing_io_is_one_finding_not_two():
    found = [f.rule_id for f in _findings("k8s-identical-liveness-readiness")
             if f.rule_id.startswith("k8s-") and "liveness" in f.rule_id]
    assert found == ["k8s-identical-liveness-readiness"]
