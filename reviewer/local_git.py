"""The local change source: ``git diff`` between a base ref and a head ref (or the work tree)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from reviewer.errors import GitError


def git(repo: Path, *args: str) -> str:
    try:
        proc = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, check=True)
    except FileNotFoundError as exc:
        raise GitError("git is not installed") from exc
    except subprocess.CalledProcessError as exc:
        detail = exc.stderr.decode(errors="replace").strip().splitlines()
        raise GitError(f"git {' '.join(args)}: {detail[-1] if detail else 'failed'}") from exc
    return proc.stdout.decode("utf-8", errors="surrogateescape")


def repo_root(path: Path) -> Path:
    return Path(git(path, "rev-parse", "--show-toplevel").strip())


def resolve(repo: Path, ref: str) -> str:
    try:
        return git(repo, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").strip()
    except GitError:
        raise GitError(f"unknown git ref {ref!r}") from None


def merge_base(repo: Path, base: str, head: str) -> str:
    try:
        return git(repo, "merge-base", base, head).strip()
    except GitError:
        return resolve(repo, base)  # unrelated histories: compare with the base itself


def diff(repo: Path, base_sha: str, head_sha: str | None) -> str:
    """Unified diff with renames found; ``head_sha`` None means the working tree."""
    args = ["diff", "--no-color", "--no-ext-diff", "--find-renames", "--unified=3", base_sha]
    if head_sha:
        args.append(head_sha)
    return git(repo, *args)
