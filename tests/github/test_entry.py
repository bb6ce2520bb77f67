"""`python -m reviewer` as the runner starts it: rules-only never imports anthropic; no traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.github.conftest import APP_BASE, APP_HEAD, TOKEN, Scenario, service_repo

ROOT = Path(__file__).resolve().parents[2]
PROBE = ("import os, sys; from reviewer.action import main; code = main(dict(os.environ)); "
         "print('anthropic-imported' if 'anthropic' in sys.modules else 'anthropic-absent'); sys.exit(code)")


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    full = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT), **env}
    return subprocess.run([sys.executable, *args], env=full, capture_output=True, text=True, timeout=60)


def test_rules_only_run_leaves_anthropic_out(scenario: Scenario) -> None:
    scenario.open_pr(service_repo(APP_BASE), service_repo(APP_HEAD))
    proc = run(["-c", PROBE], scenario.pr_env())
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "anthropic-absent" in proc.stdout
    assert len(scenario.fake.pulls[7].reviews) == 1


def test_python_m_reviewer_runs_the_action_and_never_shows_a_traceback(scenario: Scenario) -> None:
    env = scenario.pr_env()
    env["GITHUB_EVENT_PATH"] = str(scenario.tmp / "missing.json")
    proc = run(["-m", "reviewer"], env)
    assert proc.returncode == 2
    assert "::error::arch-review: cannot read the event payload" in proc.stdout
    assert "Traceback" not in proc.stdout + proc.stderr
    assert TOKEN not in proc.stdout + proc.stderr
