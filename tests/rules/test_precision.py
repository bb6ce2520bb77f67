"""What the case trees cannot say with markers: one finding per problem, and severities graded by context."""

from __future__ import annotations

from reviewer.config import Config
from reviewer.engine import review
from reviewer.project import Project
from reviewer.rules.registry import RuleContext
from reviewer.workspace.files import DictSource, DirectorySource
from tests.rules.casefiles import CASES


def _findings(case: str, side: str = "bad") -> list:
    project = Project.load(DirectorySource(CASES / case / side))
    return review(RuleContext(project=project), Config()).findings


def test_a_shared_probe_handler_doing_io_is_one_finding_not_two():
    found = [f.rule_id for f in _findings("k8s-identical-liveness-readiness")
             if f.rule_id.startswith("k8s-") and "liveness" in f.rule_id]
    assert found == ["k8s-identical-liveness-readiness"]


def _tree(files: dict[str, str]) -> list:
    project = Project.load(DictSource(files))
    return review(RuleContext(project=project), Config()).findings


def test_a_compose_service_name_in_code_is_the_address_when_compose_is_the_only_environment():
    found = _tree({
        "docker-compose.yml": "services:\n  orders:\n    build: ./orders\n  inventory:\n"
                              "    image: ghcr.io/acme/inventory:2.0.1\n",
        "orders/Dockerfile": 'FROM python:3.12-slim\nCMD ["uvicorn", "app.main:app"]\n',
        "orders/app/__init__.py": "",
        "orders/app/main.py": 'INVENTORY = "http://inventory:8000"\n',
    })
    assert [f for f in found if f.rule_id == "http-hardcoded-service-url"] == []
