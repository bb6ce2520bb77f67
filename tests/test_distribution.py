"""What users install: the wheel on its own in a fresh venv, and the pre-commit hook run by pre-commit
itself against a temporary repository. Both build and install packages (tens of seconds): marked slow."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import venv
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent

pytestmark = pytest.mark.slow

CLEAN_ENV = {k: v for k, v in os.environ.items()
             if not k.startswith(("GITHUB_", "INPUT_", "ANTHROPIC_", "PYTHON", "VIRTUAL_ENV"))}


def _build_wheel(out: Path) -> Path:
    src = out / "src"  # a copy, so the build leaves no build/ or egg-info in the checkout
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(".git", ".venv", "__pycache__", "build", "*.egg-info",
                                                             "tests", "bench", "examples", ".ruff_cache"))
    run = subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(out), str(src)],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    (wheel,) = out.glob("arch_review-*.whl")
    return wheel


def test_the_wheel_installs_into_a_fresh_venv_and_runs(tmp_path):
    wheel = _build_wheel(tmp_path)
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    py = env_dir / "bin" / "python"
    install = subprocess.run([py, "-m", "pip", "install", "--quiet", str(wheel)], capture_output=True, text=True,
                             env=CLEAN_ENV)
    if install.returncode != 0 and "No matching distribution" in install.stderr:
        pytest.skip(f"dependencies not installable here: {install.stderr.strip().splitlines()[-1]}")
    assert install.returncode == 0, install.stderr
    work = tmp_path / "elsewhere"  # not the checkout: only the installed copy can answer
    work.mkdir()
    rules = subprocess.run([env_dir / "bin" / "arch-review", "rules"], cwd=work, capture_output=True, text=True,
                           env=CLEAN_ENV)
    assert rules.returncode == 0, rules.stderr
    assert rules.stdout.splitlines()[-1].endswith(" rules") and "http-call-without-timeout" in rules.stdout
    # package data: the config schema (a config file is validated), the prompts
    (work / ".github").mkdir()
    (work / ".github" / "arch-review.yml").write_text("rules:\n  http-call-without-timeout: off\n")
    (work / "worker.py").write_text("import requests\n\n\ndef f():\n    return requests.get('https://x')\n")
    audit = subprocess.run([env_dir / "bin" / "arch-review", "audit", "."], cwd=work, capture_output=True,
                           text=True, env=CLEAN_ENV)
    assert audit.returncode == 0, audit.stderr
    assert "http-call-without-timeout" not in audit.stdout
    probe = subprocess.run([py, "-c", "from importlib import resources as r; import reviewer; "
                            "print(sorted(p.name for p in r.files('reviewer').joinpath('prompts').iterdir()))"],
                           cwd=work, capture_output=True, text=True, env=CLEAN_ENV)
    assert "architect.system.md" in probe.stdout, probe.stderr
    init = subprocess.run([env_dir / "bin" / "arch-review", "config", "--init", "starter.yml"], cwd=work,
                          capture_output=True, text=True, env=CLEAN_ENV)
    assert init.returncode == 0 and (work / "starter.yml").read_text().startswith("# yaml-language-server:")


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", "-c", "commit.gpgsign=false",
                    *args], cwd=repo, check=True, capture_output=True)


def test_the_pre_commit_hook_audits_the_staged_files_and_fails_on_errors(tmp_path):
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert [h["id"] for h in hooks] == ["arch-review"]
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q")
    (repo / "README.md").write_text("# shop\n")
    (repo / "worker.py").write_text("import requests\n\n\ndef f():\n    return requests.get('https://x', timeout=5)\n")
    _git(repo, "add", ".")
    env = {**CLEAN_ENV, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}
    pre_commit = [str(BIN / "pre-commit"), "try-repo", str(ROOT), "arch-review"]
    clean = subprocess.run(pre_commit, cwd=repo, capture_output=True, text=True, env=env)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "Passed" in clean.stdout
    (repo / "api.py").write_text(textwrap.dedent("""\
        import time

        from fastapi import FastAPI

        app = FastAPI()


        @app.get("/orders")
        async def orders():
            time.sleep(1)
            return []
    """))
    (repo / "notes.md").write_text("not reviewed\n")
    _git(repo, "add", "api.py", "notes.md")
    failed = subprocess.run(pre_commit, cwd=repo, capture_output=True, text=True, env=env)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "Failed" in failed.stdout and "fastapi-blocking-call-in-async" in failed.stdout
    assert "api.py" in failed.stdout and "worker.py\n" not in failed.stdout  # only the staged files are reported
