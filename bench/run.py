"""`make bench`: print the performance figures DESIGN.md sets targets for. Prints, never asserts.

(a) the demo PR, rules only: in-process wall time (best of 5), process start to exit, anthropic imported?
(b) whole-repository audit over 250/500/1000/2000 generated files: seconds and files/s (linearity)
(c) checkov side by side on the 1000-file repo's manifests and Dockerfiles (own venv; skipped without PyPI)
(d) the model bench (bench/model_bench.py) against the loopback fake Anthropic server
(e) hostile input: an alias bomb, 5,000 chained Dockerfile stages, deeply nested Python, a 50,000-glob
    config; wall time and peak memory of each audit, and the note that says what was skipped
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import venv
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from genrepo import generate  # noqa: E402

from reviewer.cli import main as cli_main  # noqa: E402

SIZES = (250, 500, 1000, 2000)
CHECKOV_SIZE = 1000
# (our rule, checkov check ids) for the concerns both tools cover
OVERLAP = (
    ("k8s-missing-readiness-probe", ("CKV_K8S_9",)),
    ("k8s-missing-liveness-probe", ("CKV_K8S_8",)),
    ("k8s-missing-memory-limit", ("CKV_K8S_13",)),
    ("k8s-missing-resource-requests", ("CKV_K8S_10", "CKV_K8S_12")),
    ("k8s-image-mutable-tag", ("CKV_K8S_14",)),
    ("k8s-privileged-container", ("CKV_K8S_16",)),
    ("k8s-runs-as-root", ("CKV_K8S_23",)),
    ("docker-runs-as-root", ("CKV_DOCKER_3", "CKV_DOCKER_8")),
    ("docker-no-healthcheck", ("CKV_DOCKER_2",)),
    ("docker-base-image-unpinned", ("CKV_DOCKER_7",)),
)


def best_of(n: int, fn: Callable[[], object]) -> tuple[float, float]:
    """(best, first) wall seconds over n runs."""
    times = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times), times[0]


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), "-c", "user.name=bench", "-c", "user.email=bench@example.invalid",
                    "-c", "commit.gpgsign=false", *args], check=True, capture_output=True)


def demo_repo(where: Path) -> Path:
    """The `make demo` repository: base = the example with the PR reversed, head = the example."""
    shutil.copytree(ROOT / "examples" / "monorepo", where, dirs_exist_ok=True)
    patch = str(ROOT / "examples" / "pr.patch")
    _git(where, "init", "-q")
    _git(where, "apply", "-R", patch)
    _git(where, "add", "-A")
    _git(where, "commit", "-q", "-m", "base")
    _git(where, "branch", "-f", "base")
    _git(where, "apply", patch)
    _git(where, "add", "-A")
    _git(where, "commit", "-q", "-m", "head")
    _git(where, "branch", "-f", "head")
    return where


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "INPUT_", "ANTHROPIC_"))}


def bench_demo() -> None:
    print("(a) demo PR review, rules only")
    with tempfile.TemporaryDirectory() as tmp:
        repo = demo_repo(Path(tmp) / "repo")
        argv = ["review", "--base", "base", "--head", "head", "--repo", str(repo), "--format", "json"]
        best, first = best_of(5, lambda: cli_main(argv, out=io.StringIO(), err=io.StringIO()))
        out = io.StringIO()
        cli_main(argv, out=out, err=out)
        findings = len(json.loads(out.getvalue())["findings"])
        print(f"  in-process review: best of 5 {best * 1000:.0f} ms (first run {first * 1000:.0f} ms, "
              f"{findings} findings)   target < 1 s")
        cmd = [sys.executable, "-m", "reviewer", *argv]
        proc_best, proc_first = best_of(5, lambda: subprocess.run(cmd, capture_output=True, env=_clean_env(),
                                                                  check=False))
        print(f"  process start to exit (python -m reviewer review): best of 5 {proc_best * 1000:.0f} ms "
              f"(first {proc_first * 1000:.0f} ms)   target < 300 ms")
        probe = ("import sys; from reviewer.cli import main; main(sys.argv[1:], out=open('/dev/null', 'w')); "
                 "print('yes' if 'anthropic' in sys.modules else 'no')")
        run = subprocess.run([sys.executable, "-c", probe, *argv], capture_output=True, text=True, env=_clean_env())
        print(f"  anthropic imported by a rules-only run: {run.stdout.strip() or run.stderr.strip()[-200:]}")
        imports = subprocess.run([sys.executable, "-X", "importtime", "-m", "reviewer", *argv], capture_output=True,
                                 text=True, env=_clean_env())
        heavy = sorted(((int(parts[1]), parts[2].strip()) for parts in
                        (line.split("|") for line in imports.stderr.splitlines() if line.startswith("import time:"))
                        if parts[1].strip().isdigit()), reverse=True)[:5]
        print("  heaviest imports (cumulative us): " + ", ".join(f"{name} {us}" for us, name in heavy))


def _one_line_change(where: Path, n: int = 700) -> Path:
    """A generated repository of ``n`` relevant files and one commit that edits one line of one
    service's Python file (a comment): the everyday PR."""
    repo = generate(n, where)
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "base")
    target = sorted(repo.glob("services/*/models.py"))[0]
    target.write_text("# the models of this service\n" + target.read_text())
    _git(repo, "commit", "-qam", "one line")
    return repo


def bench_one_line_review() -> None:
    print("\n(a2) review of a one-line change in a 700-file repository vs process start-up")
    with tempfile.TemporaryDirectory() as tmp:
        repo = _one_line_change(Path(tmp) / "repo")
        review = [sys.executable, "-m", "reviewer", "review", "--repo", str(repo), "--base", "HEAD~1",
                  "--head", "HEAD", "--format", "json"]
        version = [sys.executable, "-m", "reviewer", "--version"]
        for _ in range(2):  # warm the page cache and the .pyc files
            subprocess.run(review, capture_output=True, env=_clean_env(), check=False)
        start, _ = best_of(7, lambda: subprocess.run(version, capture_output=True, env=_clean_env(), check=False))
        spent, _ = best_of(7, lambda: subprocess.run(review, capture_output=True, env=_clean_env(), check=False))
        print(f"  `--version` {start * 1000:.0f} ms, `review` {spent * 1000:.0f} ms (best of 7): "
              f"{spent / start:.1f}x the start-up   target <= 2x")


def _audit_seconds(repo: Path, runs: int = 3) -> tuple[float, dict]:
    sink = io.StringIO()

    def once() -> None:
        sink.seek(0)
        sink.truncate()
        cli_main(["audit", str(repo), "--format", "json"], out=sink, err=sink)

    best, _ = best_of(runs, once)
    return best, json.loads(sink.getvalue())


def bench_audit() -> Path:
    print(f"\n(b) whole-repository audit (in-process, best of 3; {os.cpu_count()} CPUs, one process)")
    repo_for_checkov = OUT / f"repo-{CHECKOV_SIZE}"
    rates = []
    for n in SIZES:
        repo = generate(n, OUT / f"repo-{n}")
        seconds, report = _audit_seconds(repo)
        rates.append(n / seconds)
        print(f"  {n:>5} files: {seconds:6.2f} s  {n / seconds:7.0f} files/s  {len(report['findings'])} findings")
    print(f"  linearity: files/s at {SIZES[-1]} is {rates[-1] / rates[0]:.2f}x the rate at {SIZES[0]} (1.00 = linear)")
    cmd = [sys.executable, "-m", "reviewer", "audit", str(repo_for_checkov), "--format", "json"]
    proc, _ = best_of(3, lambda: subprocess.run(cmd, capture_output=True, env=_clean_env(), check=False))
    print(f"  `python -m reviewer audit` on {CHECKOV_SIZE} files, process wall: {proc:.2f} s   target < 3 s")
    for n in (SIZES[0], SIZES[-1]):
        print(f"  peak memory (max RSS) of an audit of {n} files: {_peak_rss_mib(OUT / f'repo-{n}'):.0f} MiB")
    return repo_for_checkov


# VmHWM, not getrusage's ru_maxrss: Linux carries the parent's peak across fork+exec into ru_maxrss,
# so the bench's own 400+ MiB would be reported for every child.
_RSS_PROBE = """
import io, sys
from reviewer.cli import main
main(["audit", sys.argv[1], "--format", "json"], out=io.StringIO(), err=io.StringIO())
with open("/proc/self/status") as status:
    print(next(line.split()[1] for line in status if line.startswith("VmHWM:")))  # KiB
"""


def _peak_rss_mib(repo: Path) -> float:
    proc = subprocess.run([sys.executable, "-c", _RSS_PROBE, str(repo)], capture_output=True, text=True,
                          env=_clean_env(), check=True)
    return int(proc.stdout.split()[-1]) / 1024


# The audit's own time (imports excluded) and the process's peak memory, as above, plus the notes.
_HOSTILE_PROBE = """
import io, json, sys, time
from reviewer.cli import main
out = io.StringIO()
start = time.perf_counter()
main(["audit", sys.argv[1], "--format", "json"], out=out, err=io.StringIO())
seconds = time.perf_counter() - start
with open("/proc/self/status") as status:
    peak = next(line.split()[1] for line in status if line.startswith("VmHWM:"))  # KiB
report = json.loads(out.getvalue())
print(json.dumps({"seconds": seconds, "peak_kib": int(peak), "notes": report["notes"],
                  "findings": len(report["findings"])}))
"""
HOSTILE_GOAL = (2.0, 200)  # seconds, MiB


def _alias_bomb() -> str:
    """docker-compose.yml whose restart: is nine aliases of nine aliases ... (9**8 = 43 million nodes)."""
    lines = ['  l0: &l0 ["lol"]'] + [f"  l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]" for i in range(1, 9)]
    return "x-lol:\n" + "\n".join(lines) + "\nservices:\n  api:\n    image: python:3.12\n    restart: *l8\n"


def _chained_stages(n: int = 5000) -> str:
    stages = ["FROM python:3.12-slim AS s0"] + [f"FROM s{i - 1} AS s{i}\nRUN true" for i in range(1, n)]
    return "\n".join(stages) + "\nCMD uvicorn app:app\n"


def _glob_config() -> str:
    globs = ([f"services/svc{i}/**" for i in range(20_000)] + [f"gen/mod{i}/*.py" for i in range(20_000)]
             + [f"**/generated_{i}.py" for i in range(10_000)])
    return "paths:\n  exclude:\n" + "".join(f"    - '{g}'\n" for g in globs)


def _hostile_cases(tmp: Path) -> list[tuple[str, Path]]:
    plain = "FROM python:latest\nUSER 10001\nCMD [\"uvicorn\", \"app:app\"]\n"  # one finding beside each case
    cases = {
        "alias bomb (531-byte compose file, 9^8 nodes)": {"docker-compose.yml": _alias_bomb()},
        "5,000 chained Dockerfile stages": {"Dockerfile": _chained_stages()},
        "deeply nested Python (100,000 unary minus)": {"app/deep.py": "x = " + "-" * 100_000 + "1\n"},
    }
    out = []
    for i, (name, files) in enumerate(cases.items()):
        root = tmp / f"case{i}"
        for path, text in {**files, "other/Dockerfile": plain}.items():
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_text(text)
        out.append((name, root))
    repo = tmp / "globs"
    shutil.copytree(generate(SIZES[0], OUT / f"repo-{SIZES[0]}"), repo)
    (repo / ".github").mkdir(exist_ok=True)
    (repo / ".github" / "arch-review.yml").write_text(_glob_config())
    out.append((f"50,000-glob config over the {SIZES[0]}-file repo", repo))
    return out


def bench_hostile() -> None:
    seconds_goal, mib_goal = HOSTILE_GOAL
    print(f"\n(e) hostile input: audit wall time (in-process) and peak RSS   goal < {seconds_goal:.0f} s, "
          f"< {mib_goal} MiB each")
    with tempfile.TemporaryDirectory() as tmp:
        for name, root in _hostile_cases(Path(tmp)):
            proc = subprocess.run([sys.executable, "-c", _HOSTILE_PROBE, str(root)], capture_output=True, text=True,
                                  env=_clean_env(), timeout=900)
            if proc.returncode != 0:
                print(f"  {name}: probe failed: {proc.stderr.strip()[-300:]}")
                continue
            result = json.loads(proc.stdout.splitlines()[-1])
            print(f"  {name}: {result['seconds']:.2f} s, {result['peak_kib'] / 1024:.0f} MiB, "
                  f"{result['findings']} findings")
            for note in result["notes"][:2]:
                print(f"    note: {note[:150]}")


def _checkov_bin() -> Path | None:
    env_dir = OUT / "checkov-venv"
    binary = env_dir / "bin" / "checkov"
    if binary.exists():
        return binary
    print(f"  installing checkov into {env_dir.relative_to(ROOT)} (pip, once) ...", flush=True)
    venv.EnvBuilder(with_pip=True, clear=True).create(env_dir)
    run = subprocess.run([str(env_dir / "bin" / "python"), "-m", "pip", "install", "--quiet", "checkov"],
                         capture_output=True, text=True, timeout=600)
    if run.returncode != 0 or not binary.exists():
        tail = (run.stderr or run.stdout).strip().splitlines()[-1:] or ["no output"]
        print(f"  checkov: skipped, pip install failed: {tail[0]}")
        return None
    return binary


def bench_checkov(repo: Path) -> None:
    print(f"\n(c) checkov side by side: the {CHECKOV_SIZE}-file repo's Kubernetes manifests and Dockerfiles")
    subset = OUT / "manifests-only"
    if subset.exists():
        shutil.rmtree(subset)
    for path in repo.rglob("*"):
        if path.is_file() and (path.name == "Dockerfile" or path.parent.name == "k8s"):
            target = subset / path.relative_to(repo)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, target)
    files = sum(1 for p in subset.rglob("*") if p.is_file())
    ours, report = _audit_seconds(subset)
    print(f"  {files} files (manifests + Dockerfiles)")
    print(f"  arch-review audit: {ours:.2f} s (in-process, best of 3)")
    binary = _checkov_bin()
    if binary is None:
        return
    cmd = [str(binary), "-d", str(subset), "--framework", "kubernetes,dockerfile", "--quiet", "--compact",
           "-o", "json"]
    start = time.perf_counter()
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    theirs = time.perf_counter() - start
    version = subprocess.run([str(binary), "--version"], capture_output=True, text=True).stdout.strip()
    shown = " ".join(["checkov", "-d", "<dir>", *cmd[3:]])
    print(f"  checkov {version}: {theirs:.2f} s (one run of `{shown}`)")
    print(f"  ratio: checkov / arch-review = {theirs / ours:.1f}x   target >= 10x")
    try:
        data = json.loads(run.stdout)
    except json.JSONDecodeError:
        print(f"  checkov output was not JSON (exit {run.returncode}): {run.stderr.strip()[-300:]}")
        return
    failed: Counter[str] = Counter()
    for block in data if isinstance(data, list) else [data]:
        for check in block.get("results", {}).get("failed_checks", []):
            failed[check["check_id"]] += 1
    ours_by_rule = Counter(f["rule"] for f in report["findings"])
    print(f"  {'concern (our rule)':<34} {'arch-review':>11}   checkov")
    for rule, checks in OVERLAP:
        theirs_counts = ", ".join(f"{c} {failed[c]}" for c in checks)
        print(f"  {rule:<34} {ours_by_rule[rule]:>11}   {theirs_counts}")
    print("  (checkov counts failed checks per resource; ours are findings on a line. docker-no-healthcheck only fires"
          " when a compose service uses the image without a healthcheck, so this manifests-only copy has none.)")


def bench_model() -> None:
    print("\n(d) model bench")
    from model_bench import run_llm_bench

    result = run_llm_bench()
    if isinstance(result, str):
        print("  " + result.replace("\n", "\n  "))
    elif isinstance(result, dict):
        for key, value in result.items():
            print(f"  {key}: {value}")
    elif result is not None:
        print(f"  {result}")


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    bench_demo()
    bench_one_line_review()
    repo = bench_audit()
    bench_checkov(repo)
    bench_model()
    bench_hostile()
    print(f"\nbench total: {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
