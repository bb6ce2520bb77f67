"""The Action's packaging: action.yml keeps the DESIGN contract, the Dockerfile and action.yml pass their
linters, and the image's ENTRYPOINT runs against the package exactly as the Dockerfile installs it."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
DESIGN = Path("/work/shared/DESIGN.md")

# DESIGN.md, "Interface": the public contract of the Action's inputs (name -> default).
INPUTS = {
    "github-token": "${{ github.token }}",
    "anthropic-api-key": "",
    "model": "claude-haiku-5-5",
    "config": ".github/arch-review.yml",
    "mode": "auto",
    "fail-on": "none",
    "max-comments": "20",
    "sarif-file": "",
    "trigger-phrase": "/arch-review",
}
OUTPUTS = {"findings", "review-url", "sarif-file"}


def _action() -> dict:
    return yaml.safe_load((ROOT / "action.yml").read_text())


def _dockerfile() -> list[tuple[str, str]]:
    """(KEYWORD, arguments) per instruction, comments dropped and continuations joined."""
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text())
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, args = line.partition(" ")
            out.append((keyword.upper(), args.strip()))
    return out


def test_action_inputs_and_outputs_match_the_design_contract():
    action = _action()
    assert {name: spec.get("default") for name, spec in action["inputs"].items()} == INPUTS
    assert all(spec.get("description") for spec in action["inputs"].values())
    assert set(action["outputs"]) == OUTPUTS and all(o.get("description") for o in action["outputs"].values())
    assert action["runs"] == {"using": "docker", "image": "Dockerfile"}
    assert {"name", "description", "author", "branding"} <= set(action)


@pytest.mark.skipif(not DESIGN.is_file(), reason="DESIGN.md lives outside the repository; not present here")
def test_the_contract_above_is_the_design_table():
    section = DESIGN.read_text().split("| input | default | meaning |", 1)[1].split("\n\n", 1)[0]
    table = {}
    for row in section.splitlines()[2:]:
        name, default = (c.strip().strip("`") for c in row.strip("|").split("|")[:2])
        table[name] = "" if default == "empty" else default
    assert table == INPUTS


def test_every_input_is_read_by_the_action_as_its_env_var():
    sources = [ROOT / "reviewer" / "action.py", *sorted((ROOT / "reviewer" / "github").glob("*.py"))]
    text = "\n".join(p.read_text() for p in sources if p.is_file())
    if not (ROOT / "reviewer" / "action.py").is_file():
        pytest.skip("reviewer/action.py is not written yet (another part of the project)")
    # The runner passes input `fail-on` as INPUT_FAIL-ON (upper-cased, hyphens kept). Accept the literal
    # variable name, or the input's quoted name passed to a helper that builds the INPUT_ prefix.
    missing = [name for name in INPUTS if f"INPUT_{name.upper()}" not in text
               and not ("INPUT_" in text and re.search(rf"""["']{re.escape(name)}["']""", text))]
    assert not missing, f"inputs never read by reviewer/action.py: {missing}"


def test_action_yml_passes_the_github_actions_schema():
    run = subprocess.run([BIN / "check-jsonschema", "--builtin-schema", "vendor.github-actions", "action.yml"],
                         cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


def test_workflows_pass_the_github_workflows_schema():
    files = sorted(str(p.relative_to(ROOT)) for p in (ROOT / ".github" / "workflows").glob("*.yml"))
    assert ".github/workflows/release.yml" in files
    run = subprocess.run([BIN / "check-jsonschema", "--builtin-schema", "vendor.github-workflows", *files],
                         cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


def test_dockerfile_passes_hadolint():
    run = subprocess.run([BIN / "hadolint", "Dockerfile"], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


def test_dockerfile_follows_the_actions_rules():
    instructions = _dockerfile()
    keywords = [k for k, _ in instructions]
    assert instructions[0][0] == "FROM" and instructions[0][1].startswith("python:3.12-slim@sha256:")
    assert "USER" not in keywords and "WORKDIR" not in keywords  # GitHub: Docker actions run as root in the workspace
    env = " ".join(a for k, a in instructions if k == "ENV")
    assert "PYTHONDONTWRITEBYTECODE=1" in env and "PYTHONUNBUFFERED=1" in env
    for keyword, args in instructions:
        if keyword == "COPY":
            for src in args.split()[:-1]:
                assert (ROOT / src).exists(), f"Dockerfile copies {src}, which is missing"
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".git", ".venv", "tests"} <= set(ignored)


def _entrypoint() -> list[str]:
    (args,) = [a for k, a in _dockerfile() if k == "ENTRYPOINT"]
    argv = json.loads(args)  # exec form, so the runner's SIGTERM reaches python, not sh
    assert argv[0] == "/usr/local/bin/python" and argv[1:] == ["-m", "reviewer"]
    return [sys.executable, *argv[1:]]


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The package built and installed from only what the Dockerfile COPYs (like `pip install` in the image)."""
    tmp = tmp_path_factory.mktemp("image")
    src = tmp / "src"
    src.mkdir()
    for keyword, args in _dockerfile():
        if keyword == "COPY":
            *sources, dest = args.split()
            for s in sources:
                target = src / Path(s).name if dest.endswith("/") or len(sources) > 1 else src / Path(dest).name
                if (ROOT / s).is_dir():
                    shutil.copytree(ROOT / s, target, ignore=shutil.ignore_patterns("__pycache__"))
                else:
                    shutil.copy(ROOT / s, target)
    site = tmp / "site"
    run = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-compile",
                          "--target", str(site), str(src)], capture_output=True, text=True)
    if run.returncode != 0 and re.search(r"No matching distribution|Could not find a version|connection", run.stderr,
                                         re.I):
        pytest.skip(f"cannot fetch the build backend: {run.stderr.strip().splitlines()[-1]}")
    assert run.returncode == 0, run.stderr
    return site


def _run_installed(site: Path, args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "INPUT_", "ANTHROPIC_"))}
    return subprocess.run([*_entrypoint(), *args], cwd=cwd, capture_output=True, text=True, timeout=60,
                          env={**clean, "PYTHONPATH": str(site), **env})


def test_entrypoint_runs_the_cli_from_the_installed_package(installed, tmp_path):
    where = _run_installed(installed, [], {}, tmp_path)  # no args, not on a runner: CLI help
    assert where.returncode == 2 and "arch-review" in where.stdout
    run = _run_installed(installed, ["rules"], {}, tmp_path)
    assert run.returncode == 0, run.stderr
    listed = run.stdout.splitlines()
    assert re.fullmatch(r"\d+ rules", listed[-1]) and int(listed[-1].split()[0]) == len(listed) - 1 >= 2
    assert any(line.startswith("http-call-without-timeout ") for line in listed)
    probe = subprocess.run([sys.executable, "-c", "import reviewer; print(reviewer.__file__)"], cwd=tmp_path,
                           capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(installed)})
    assert probe.stdout.startswith(str(installed)), "the test must exercise the installed copy, not the checkout"


def test_entrypoint_on_a_runner_with_a_missing_event_fails_readably(installed, tmp_path):
    if not (ROOT / "reviewer" / "action.py").is_file():
        pytest.skip("reviewer/action.py is not written yet; only the CLI path of the ENTRYPOINT is checked")
    env = {"GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "pull_request",
           "GITHUB_EVENT_PATH": str(tmp_path / "missing-event.json"), "GITHUB_REPOSITORY": "octo/shop",
           "GITHUB_WORKSPACE": str(tmp_path), "GITHUB_API_URL": "http://127.0.0.1:9", "INPUT_GITHUB-TOKEN": "t"}
    run = _run_installed(installed, [], env, tmp_path)
    assert run.returncode != 0
    assert "Traceback" not in run.stderr + run.stdout
    assert "missing-event.json" in run.stderr + run.stdout or "event" in (run.stderr + run.stdout).lower()


def _pin(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "scripts" / "pin_action_image.py"), *args], cwd=cwd,
                          capture_output=True, text=True)


def test_release_pins_action_yml_to_the_published_image(tmp_path):
    (tmp_path / "action.yml").write_text((ROOT / "action.yml").read_text())
    run = _pin("ghcr.io/octo-org/arch-review", "v1.4.2", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    pinned = yaml.safe_load((tmp_path / "action.yml").read_text())
    assert pinned["runs"] == {"using": "docker", "image": "docker://ghcr.io/octo-org/arch-review:v1.4.2"}
    assert {k: v for k, v in pinned.items() if k != "runs"} == {k: v for k, v in _action().items() if k != "runs"}
    before = (ROOT / "action.yml").read_text().splitlines()
    after = (tmp_path / "action.yml").read_text().splitlines()
    changed = [i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]
    assert changed == [before.index("  image: Dockerfile")]
    lint = subprocess.run([BIN / "check-jsonschema", "--builtin-schema", "vendor.github-actions", "action.yml"],
                          cwd=tmp_path, capture_output=True, text=True)
    assert lint.returncode == 0, lint.stdout + lint.stderr


def test_pinning_refuses_a_bad_image_name_or_version_and_leaves_the_file(tmp_path):
    original = (ROOT / "action.yml").read_text()
    (tmp_path / "action.yml").write_text(original)
    upper = _pin("ghcr.io/Octo/arch-review", "v1.0.0", cwd=tmp_path)
    assert upper.returncode == 2 and "lower-case" in upper.stderr
    branch = _pin("ghcr.io/octo/arch-review", "main", cwd=tmp_path)
    assert branch.returncode == 2 and "v1.2.3" in branch.stderr
    assert (tmp_path / "action.yml").read_text() == original


def test_release_workflow_publishes_with_provenance_and_sbom_and_pins_the_tag():
    release = yaml.safe_load((ROOT / ".github" / "workflows" / "release.yml").read_text())
    steps = [s for job in release["jobs"].values() for s in job["steps"]]
    build = next(s for s in steps if str(s.get("uses", "")).startswith("docker/build-push-action"))
    assert build["with"]["provenance"] == "mode=max" and build["with"]["sbom"] is True
    assert any("scripts/pin_action_image.py" in s.get("run", "") for s in steps)


def _requirement_names(lines: list[str]) -> set[str]:
    return {re.split(r"[<>=!~\[; ]", line.strip(), maxsplit=1)[0].lower().replace("_", "-") for line in lines}


def test_the_base_image_is_pinned_by_digest_with_its_tag_and_dependabot_keeps_it_fresh():
    froms = [a for k, a in _dockerfile() if k == "FROM"]
    assert froms and all(re.fullmatch(r"python:3\.12-slim@sha256:[0-9a-f]{64}", a) for a in froms)
    updates = yaml.safe_load((ROOT / ".github" / "dependabot.yml").read_text())["updates"]
    assert {"docker", "github-actions"} <= {u["package-ecosystem"] for u in updates}


def test_image_installs_the_hash_pinned_lock_in_its_own_layer_before_the_code():
    instructions = _dockerfile()
    runs = [i for i, (k, _) in enumerate(instructions) if k == "RUN"]
    lock_step = next(i for i in runs if "--require-hashes -r /opt/arch-review/requirements.lock" in instructions[i][1])
    code_copy = next(i for i, (k, a) in enumerate(instructions) if k == "COPY" and a.startswith("reviewer "))
    assert lock_step < code_copy, "the dependency layer must come before the code, so code changes reuse it"
    assert "--no-deps" in instructions[runs[-1]][1], "the package itself must not pull unpinned dependencies"
    lock = (ROOT / "requirements.lock").read_text()
    pin = r"^([A-Za-z0-9_.-]+)==\S+(?: ;[^\\\n]*)? \\\n((?:    --hash=sha256:[0-9a-f]{64}(?: \\)?\n)+)"
    pins = re.findall(pin, lock, re.M)
    packages = re.findall(r"^[A-Za-z0-9_.-]+==", lock, re.M)
    assert pins and len(pins) == len(packages), "every pinned package carries its sha256 hashes"
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert _requirement_names(declared) <= _requirement_names([p for p, _ in pins])
