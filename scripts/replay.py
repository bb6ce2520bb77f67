"""`make replay REPO=<git dir> N=50`: replay a repository's recent commits as pull requests, to see the noise.

Each of the last N non-merge commits C (parent P) that touches a file arch-review reads is reviewed with
``python -m reviewer review --repo <clone> --base P --head C --format json``, one subprocess per commit,
as a PR from P to C would be. Per commit and in total it prints the findings, how many sit on a line the
commit added (from ``git diff -U0 P C``), the rules behind them and the wall time. A bare git dir is
cloned (shared, no checkout) into a temporary directory first.

Usage: python scripts/replay.py REPO [-n N] [--rev REV] [--paths PATHSPEC ...] [--json OUT]
                                     [--sample K] [--seed S] [--timeout SECONDS]
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from reviewer.classify import classify, kind_from_path  # noqa: E402

MAX_BLOBS_READ = 20  # YAML/JSON files whose content is read to decide one commit's relevance
CONTEXT_LINES = 3  # code lines shown either side of a sampled finding
TOP_RULES = 10
_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")


@dataclass(frozen=True)
class Commit:
    sha: str
    parent: str
    subject: str
    paths: tuple[str, ...]

    @property
    def short(self) -> str:
        return self.sha[:9]


@dataclass(frozen=True)
class Row:
    """One finding of one replayed commit, as the JSON dump and the sample show it."""

    commit: str
    path: str
    line: int
    rule: str
    severity: str
    title: str
    on_added: bool


@dataclass
class Result:
    commit: Commit
    seconds: float
    rc: int
    error: str = ""
    findings: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.error

    @property
    def on_added(self) -> int:
        return sum(r.on_added for r in self.findings)


# -- git ------------------------------------------------------------------------------------------

def git(repo: Path, *args: str) -> str:
    proc = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, check=True)
    return proc.stdout.decode("utf-8", errors="replace")


def is_bare(repo: Path) -> bool:
    return git(repo, "rev-parse", "--is-bare-repository").strip() == "true"


@contextmanager
def work_clone(repo: Path) -> Iterator[Path]:
    """The repository itself, or for a bare git dir a shared clone without checkout (reviews read
    both sides from git objects, so no work tree is needed)."""
    if not is_bare(repo):
        yield Path(git(repo, "rev-parse", "--show-toplevel").strip())
        return
    with tempfile.TemporaryDirectory(prefix="replay-") as tmp:
        clone = Path(tmp) / "clone"
        subprocess.run(["git", "clone", "-q", "--shared", "--no-checkout", str(repo), str(clone)], check=True)
        yield clone


def log_commits(repo: Path, rev: str, pathspecs: Sequence[str]) -> Iterator[Commit]:
    """Non-merge commits with one parent, newest first, with the paths each one changes. Read as git
    writes them, so a long history is not walked past the commits the caller takes."""
    argv = ["git", "-C", str(repo), "-c", "core.quotePath=false", "log", "--no-merges", "--no-renames",
            "--name-only", "--format=%x00%H %P%x1f%s", rev, "--", *pathspecs]
    with subprocess.Popen(argv, stdout=subprocess.PIPE, text=True, errors="replace") as proc:
        assert proc.stdout is not None
        try:
            record: list[str] = []
            for line in proc.stdout:
                if line.startswith("\0") and record:
                    yield from _commit(record)
                    record = []
                record.append(line.rstrip("\n"))
            yield from _commit(record)
        finally:
            proc.kill()


def _commit(record: list[str]) -> Iterator[Commit]:
    if not record:
        return
    shas, _, subject = record[0].lstrip("\0").partition("\x1f")
    parents = shas.split()
    if len(parents) == 2:  # the root commit has nothing to compare with
        yield Commit(parents[0], parents[1], subject, tuple(p for p in record[1:] if p))


def blob_text(repo: Path, sha: str, path: str) -> str | None:
    try:
        return git(repo, "show", f"{sha}:{path}")
    except subprocess.CalledProcessError:
        return None  # deleted on this side


def is_relevant(repo: Path, commit: Commit) -> bool:
    """True when a changed path is a kind arch-review reviews; YAML/JSON decided by their content."""
    undecided: list[str] = []
    for path in commit.paths:
        kind = kind_from_path(path)
        if kind is None:
            undecided.append(path)
        elif kind.relevant:
            return True
    for path in undecided[:MAX_BLOBS_READ]:
        text = blob_text(repo, commit.sha, path) or blob_text(repo, commit.parent, path)
        if classify(path, text).relevant:
            return True
    return False


def pick_commits(repo: Path, rev: str, count: int, pathspecs: Sequence[str]) -> list[Commit]:
    picked: list[Commit] = []
    for commit in log_commits(repo, rev, pathspecs):
        if is_relevant(repo, commit):
            picked.append(commit)
            if len(picked) == count:
                break
    return picked


def parse_added_lines(diff: str) -> dict[str, set[int]]:
    """Path (new side) -> line numbers the diff adds, from ``git diff -U0`` output."""
    added: dict[str, set[int]] = {}
    current: set[int] | None = None
    in_header = False  # an added line "++ x" shows as "+++ x": only a file header names the path
    for line in diff.splitlines():
        if line.startswith("diff --git "):
            in_header, current = True, None
        elif in_header and line.startswith("+++ "):
            target = line[4:]
            current = None if target == "/dev/null" else added.setdefault(_unquote(target)[2:], set())
        elif (m := _HUNK.match(line)) and current is not None:
            in_header = False
            start, length = int(m.group(1)), int(m.group(2) or "1")
            current.update(range(start, start + length))
    return added


def _unquote(path: str) -> str:
    """git quotes paths with unusual bytes as C strings: ``"b/caf\\303\\251.py"``."""
    if not (path.startswith('"') and path.endswith('"')):
        return path
    raw = path[1:-1].encode("latin-1", errors="backslashreplace").decode("unicode_escape")
    return raw.encode("latin-1", errors="replace").decode("utf-8", errors="replace")


def added_lines(repo: Path, commit: Commit) -> dict[str, set[int]]:
    diff = git(repo, "diff", "--no-color", "--no-ext-diff", "--find-renames", "-U0",
               "--src-prefix=a/", "--dst-prefix=b/", commit.parent, commit.sha)
    return parse_added_lines(diff)


# -- one review -----------------------------------------------------------------------------------

def review_commit(repo: Path, commit: Commit, timeout: float) -> Result:
    """Run the CLI on P..C in a child interpreter; a crash or exit 2 becomes the result's error."""
    argv = [sys.executable, "-m", "reviewer", "review", "--repo", str(repo), "--base", commit.parent,
            "--head", commit.sha, "--format", "json"]
    started = time.perf_counter()
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return Result(commit, time.perf_counter() - started, -1, f"timed out after {timeout:g}s")
    seconds = time.perf_counter() - started
    if proc.returncode not in (0, 1):
        return Result(commit, seconds, proc.returncode, _last_line(proc.stderr) or "no message")
    try:
        report = json.loads(proc.stdout)
    except json.JSONDecodeError as exc:
        return Result(commit, seconds, proc.returncode, f"unreadable JSON: {exc}")
    added = added_lines(repo, commit)
    rows = [_row(commit, f, added) for f in report.get("findings", [])]
    return Result(commit, seconds, proc.returncode, findings=rows, notes=list(report.get("notes", [])))


def _last_line(text: str) -> str:
    lines = [ln for ln in text.splitlines() if ln.strip()]
    return lines[-1].strip() if lines else ""


def _row(commit: Commit, finding: dict, added: dict[str, set[int]]) -> Row:
    path, line = str(finding.get("path", "")), int(finding.get("line") or 0)
    return Row(commit=commit.sha, path=path, line=line, rule=str(finding.get("rule", "")),
               severity=str(finding.get("severity", "")), title=str(finding.get("title", "")),
               on_added=line in added.get(path, ()))


# -- figures --------------------------------------------------------------------------------------

def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile: the smallest value with at least q of the values at or below it."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def rule_counts(results: Sequence[Result]) -> tuple[Counter[str], Counter[str]]:
    total: Counter[str] = Counter()
    on_added: Counter[str] = Counter()
    for result in results:
        for row in result.findings:
            total[row.rule] += 1
            on_added[row.rule] += row.on_added
    return total, on_added


def totals(results: Sequence[Result]) -> dict[str, object]:
    done = [r for r in results if r.ok]
    per_pr = [len(r.findings) for r in done]
    findings = sum(per_pr)
    on_added = sum(r.on_added for r in done)
    seconds = [r.seconds for r in results]
    by_rule, added_by_rule = rule_counts(done)
    return {
        "commits": len(results), "failed": len(results) - len(done), "findings": findings,
        "on_added": on_added, "share_on_added": on_added / findings if findings else 0.0,
        "per_pr_median": statistics.median(per_pr) if per_pr else 0, "per_pr_p90": percentile(per_pr, 0.9),
        "prs_with_findings": sum(1 for n in per_pr if n), "seconds_total": sum(seconds),
        "seconds_median": statistics.median(seconds) if seconds else 0.0, "seconds_max": max(seconds, default=0.0),
        "rules": {rule: {"findings": n, "on_added": added_by_rule[rule]} for rule, n in by_rule.most_common()},
    }


# -- output ---------------------------------------------------------------------------------------

def commit_line(result: Result) -> str:
    head = f"{result.commit.short}  {result.seconds:6.2f}s  "
    subject = result.commit.subject[:60]
    if not result.ok:
        return f"{head}FAILED rc={result.rc}: {result.error}  | {subject}"
    rules = Counter(r.rule for r in result.findings)
    listed = " ".join(f"{rule}:{n}" for rule, n in rules.most_common())
    n = len(result.findings)
    return f"{head}{n:3d} finding{'s' if n != 1 else ' '} ({result.on_added} on added)  {listed}  | {subject}"


def summary_text(figures: dict[str, object]) -> str:
    findings = figures["findings"]
    lines = [
        "",
        f"commits replayed: {figures['commits']} ({figures['failed']} failed), "
        f"{figures['prs_with_findings']} with findings",
        f"findings: {findings}, per PR median {figures['per_pr_median']:g}, p90 {figures['per_pr_p90']:g}",
        f"on added lines: {figures['on_added']} of {findings} ({figures['share_on_added']:.0%})",
        f"time: {figures['seconds_total']:.1f}s total, {figures['seconds_median']:.2f}s median per commit, "
        f"{figures['seconds_max']:.2f}s max",
        "top rules (findings / on added lines):",
    ]
    rules: dict[str, dict[str, int]] = figures["rules"]  # type: ignore[assignment]
    for rule, counts in list(rules.items())[:TOP_RULES]:
        lines.append(f"  {counts['findings']:5d} / {counts['on_added']:<5d} {rule}")
    return "\n".join(lines)


def sample_text(repo: Path, results: Sequence[Result], k: int, seed: int) -> str:
    rows = [row for r in results for row in r.findings]
    chosen = random.Random(seed).sample(rows, min(k, len(rows)))
    by_sha = {r.commit.sha: r.commit for r in results}
    blocks = [f"\n== sample of {len(chosen)} of {len(rows)} findings (seed {seed})"]
    for i, row in enumerate(chosen, 1):
        commit = by_sha[row.commit]
        blocks.append(f"\n[{i}] {commit.short} {commit.subject[:70]}\n"
                      f"    {row.path}:{row.line}  {row.severity}  {row.rule}  "
                      f"{'(on an added line)' if row.on_added else '(NOT on an added line)'}\n"
                      f"    {row.title}\n{code_around(repo, commit, row)}")
    return "\n".join(blocks)


def code_around(repo: Path, commit: Commit, row: Row) -> str:
    text = blob_text(repo, commit.sha, row.path) if row.path else None
    if text is None:
        return "      (no file at the head)"
    lines = text.splitlines()
    added = added_lines(repo, commit).get(row.path, set())
    first, last = max(1, row.line - CONTEXT_LINES), min(len(lines), row.line + CONTEXT_LINES)
    out = []
    for n in range(first, last + 1):
        mark = (">" if n == row.line else " ") + ("+" if n in added else " ")
        out.append(f"    {mark}{n:5d} | {lines[n - 1]}")
    return "\n".join(out)


def dump(path: Path, repo: str, results: Sequence[Result], figures: dict[str, object]) -> None:
    data = {
        "repo": repo,
        "totals": figures,
        "commits": [{"sha": r.commit.sha, "parent": r.commit.parent, "subject": r.commit.subject,
                     "rc": r.rc, "error": r.error, "seconds": round(r.seconds, 3), "on_added": r.on_added,
                     "notes": r.notes, "findings": [asdict(row) for row in r.findings]} for r in results],
    }
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


# -- wiring ---------------------------------------------------------------------------------------

def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repo", type=Path, help="git repository: a work tree or a bare git dir")
    parser.add_argument("-n", type=int, default=50, help="relevant commits to replay (default: 50)")
    parser.add_argument("--rev", default="HEAD", help="replay the history of this revision (default: HEAD)")
    parser.add_argument("--paths", nargs="+", default=[], metavar="PATHSPEC",
                        help="only commits touching these git pathspecs")
    parser.add_argument("--json", type=Path, metavar="OUT", help="write every commit and finding to OUT")
    parser.add_argument("--sample", type=int, default=0, metavar="K", help="print K random findings with code")
    parser.add_argument("--seed", type=int, default=0, help="seed of --sample (default: 0)")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per review (default: 300)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    with work_clone(args.repo) as repo:
        commits = pick_commits(repo, args.rev, args.n, args.paths)
        print(f"replaying {len(commits)} relevant commits of {args.repo} (newest first)", flush=True)
        results = []
        for commit in commits:
            results.append(review_commit(repo, commit, args.timeout))
            print(commit_line(results[-1]), flush=True)
        figures = totals(results)
        print(summary_text(figures))
        if args.sample:
            print(sample_text(repo, results, args.sample, args.seed))
    if args.json:
        dump(args.json, str(args.repo), results, figures)
        print(f"\nwrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
