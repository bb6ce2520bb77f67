"""The workspace is the boundary: a PR that commits ``arch-review.sarif`` as a symlink (or names a
path outside the checkout) must not make the Action write outside it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.github.conftest import APP_BASE, APP_HEAD, Scenario, service_repo
from tests.test_cli import WORKER

SECRET = "hunter2-outside-value"


def _planted(scenario: Scenario, link: str) -> tuple[str, Path]:
    victim = scenario.tmp / "outside" / "victim.txt"
    victim.parent.mkdir()
    victim.write_text("precious")
    ws = scenario.workspace()
    (ws / link).parent.mkdir(parents=True, exist_ok=True)
    (ws / link).symlink_to(victim)
    return link, victim


@pytest.mark.parametrize("link", ["arch-review.sarif", "out/arch-review.sarif"])
def test_a_committed_symlink_is_not_written_through(scenario: Scenario, link: str) -> None:
    scenario.open_pr(service_repo(APP_BASE), service_repo(APP_HEAD))
    sarif_file, victim = _planted(scenario, link)
    assert scenario.run(scenario.pr_env(sarif_file=sarif_file)) == 2
    assert victim.read_text() == "precious"
    assert "sarif-file" in scenario.stdout and "symlink" in scenario.stdout
    assert scenario.review_posts() == []  # refused before any API call


def test_a_symlinked_directory_on_the_way_is_refused(scenario: Scenario) -> None:
    scenario.open_pr(service_repo(APP_BASE), service_repo(APP_HEAD))
    outside = scenario.tmp / "outside"
    outside.mkdir()
    ws = scenario.workspace()
    (ws / "out").symlink_to(outside, target_is_directory=True)
    assert scenario.run(scenario.pr_env(sarif_file="out/arch-review.sarif")) == 2
    assert not (outside / "arch-review.sarif").exists()
    assert "out is a symlink" in scenario.stdout


@pytest.mark.parametrize("path", ["../escape.sarif", "out/../../escape.sarif", "/etc/arch-review.sarif"])
def test_a_path_outside_the_workspace_is_refused(scenario: Scenario, path: str) -> None:
    scenario.open_pr(service_repo(APP_BASE), service_repo(APP_HEAD))
    assert scenario.run(scenario.pr_env(sarif_file=path)) == 2
    assert not (scenario.tmp / "escape.sarif").exists()
    assert "input sarif-file" in scenario.stdout and "outside the workspace" in scenario.stdout


def test_runner_temp_is_allowed(scenario: Scenario) -> None:
    scenario.open_pr(service_repo(APP_BASE), service_repo(APP_HEAD))
    temp = scenario.tmp / "runner_temp"
    temp.mkdir()
    env = scenario.pr_env(sarif_file=str(temp / "arch-review.sarif"))
    env["RUNNER_TEMP"] = str(temp)
    assert scenario.run(env) == 0
    assert json.loads((temp / "arch-review.sarif").read_text())["version"] == "2.1.0"


def test_a_symlinked_step_summary_is_not_followed(scenario: Scenario) -> None:
    scenario.open_pr(service_repo(APP_BASE), service_repo(APP_HEAD))
    victim = scenario.tmp / "victim.txt"
    victim.write_text("precious")
    (scenario.tmp / "summary.md").symlink_to(victim)
    assert scenario.run(scenario.pr_env()) == 2
    assert victim.read_text() == "precious"
    assert "cannot write" in scenario.stdout and "unexpectedly" not in scenario.stdout


def test_the_action_audit_refuses_a_config_symlinked_out_of_the_workspace(scenario: Scenario) -> None:
    ws = scenario.workspace({"worker.py": WORKER})
    (ws / ".github").mkdir()
    outside = scenario.tmp / "outside.yml"
    outside.write_text(f"rules:\n  {SECRET}: off\n")
    (ws / ".github" / "arch-review.yml").symlink_to(outside)
    env = scenario.env("workflow_dispatch", {})
    assert scenario.run(env) == 2
    assert "leads outside the repository" in scenario.stdout and SECRET not in scenario.stdout + scenario.summary
