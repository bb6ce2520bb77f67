"""Compose files with values of the wrong shape (half-written files are common in PRs): each key
of a service set to a scalar, a list and a mapping in turn. Reviewed, never a failed rule."""

import pytest

from reviewer.config import Config
from reviewer.engine import audit_tree
from reviewer.workspace.files import DictSource

KEYS = ["image", "build", "depends_on", "healthcheck", "environment", "ports", "volumes", "restart", "deploy",
        "mem_limit", "network_mode", "privileged", "command", "extends", "profiles"]
WRONG = ["3", "[1, [2]]", "{a: {b: 1}}", "''", "null", "[{condition: 3}]", "{db: 3}"]


@pytest.mark.parametrize("key", KEYS)
def test_any_shape_under_a_service_key(key):
    services = "".join(f"  s{i}:\n    image: postgres:16\n    {key}: {value}\n" for i, value in enumerate(WRONG))
    compose = f"services:\n{services}  db:\n    image: redis:latest\n"
    report, _ = audit_tree(DictSource({"docker-compose.yml": compose, "s0/Dockerfile": "FROM x AS y\n"}), Config())
    assert not [n for n in report.notes if "failed" in n], report.notes
    assert any(f.rule_id == "compose-image-mutable-tag" for f in report.findings)


@pytest.mark.parametrize("top", ["services: [a, b]", "services: 3", "[1, 2]", "services:\n  api: 3", "x: 1"])
def test_any_shape_at_the_top(top):
    report, _ = audit_tree(DictSource({"docker-compose.yml": top + "\n"}), Config())
    assert not [n for n in report.notes if "failed" in n], report.notes
