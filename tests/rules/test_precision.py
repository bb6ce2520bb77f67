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


def _severities(case: str) -> dict[tuple[str, int], str]:
    return {(f.path, f.line): f.severity.value for f in _findings(case) if f.rule_id == case}


def test_a_password_for_a_datastore_the_compose_file_starts_is_a_warning_and_a_shared_secret_an_error():
    found = _severities("compose-literal-secret")
    assert found[("docker-compose.yml", 6)] == "warning"  # DATABASE_URL to the db service of the file
    assert found[("docker-compose.yml", 21)] == "warning"  # POSTGRES_PASSWORD of the db service itself
    assert found[("compose.dev.yml", 5)] == "warning"  # a local-development file
    assert found[("docker-compose.yml", 15)] == "error"  # STRIPE_API_KEY of a service we build
    assert found[("docker-compose.yml", 13)] == "error"  # a broker this file does not start


def test_secrets_in_dev_dockerfiles_and_dev_overlays_are_warnings():
    assert _severities("docker-secret-in-env-or-arg")[(".devcontainer/Dockerfile", 4)] == "warning"
    assert _severities("docker-secret-in-env-or-arg")[("Dockerfile", 5)] == "error"
    k8s = _severities("k8s-literal-secret-in-env")
    assert k8s[("deploy/overlays/dev/orders.yaml", 20)] == "warning"
    assert k8s[("k8s/api.yaml", 20)] == "error"
