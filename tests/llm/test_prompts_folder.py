"""The prompts live in the top-level prompts/ folder, where teams read and adapt them, and ship in the wheel
and the image as the package ``reviewer.prompts``; the run loads them from there."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

from reviewer.llm.prompt import PROMPT_FILES, findings_schema, prompts_dir, system_prompt
from tests.test_packaging import ROOT, installed  # noqa: F401  (the module-scoped fixture)


def test_the_checkout_runs_on_the_top_level_prompts_folder():
    assert not (ROOT / "reviewer" / "prompts").exists()
    assert Path(str(prompts_dir().joinpath("architect.system.md"))).resolve() == \
        (ROOT / "prompts" / "architect.system.md").resolve()
    assert system_prompt() == (ROOT / "prompts" / "architect.system.md").read_text(encoding="utf-8")
    assert "evidence" in findings_schema()["properties"]["findings"]["items"]["required"]


def test_pyproject_lists_every_package_and_maps_the_prompts_folder():
    from setuptools import find_namespace_packages

    tool = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert sorted(tool["packages"]) == sorted([*find_namespace_packages(where=str(ROOT), include=["reviewer*"]),
                                               "reviewer.prompts"])
    assert tool["package-dir"]["reviewer.prompts"] == "prompts"


def test_the_installed_package_loads_its_prompts_from_the_package(installed, tmp_path):  # noqa: F811
    code = ("from reviewer.llm.prompt import PROMPT_FILES, prompts_dir, system_prompt, findings_schema; "
            "print(prompts_dir().joinpath('architect.system.md')); print(len(system_prompt())); "
            "print(sorted(findings_schema()))")
    run = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=60,
                         env={"PYTHONPATH": str(installed), "PATH": "/usr/bin:/bin"})
    assert run.returncode == 0, run.stderr
    where, size, _ = run.stdout.splitlines()
    assert Path(where) == installed / "reviewer" / "prompts" / "architect.system.md"
    assert int(size) == len(system_prompt())
    assert {p.name for p in (installed / "reviewer" / "prompts").iterdir()} >= set(PROMPT_FILES)
