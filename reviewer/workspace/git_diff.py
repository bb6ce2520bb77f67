"""The local change as a ChangeSet, without ever re-reading a file name out of git's patch headers.

    git diff -z --raw --find-renames      -> status, blob ids and exact names (NUL-separated, unquoted)
    git diff --text -- <names>, per file  -> that file's hunks only (headers thrown away)
    content (first 8000 bytes)            -> binary or not, whatever the PR's .gitattributes say

A name holding `` b/``, a tab, a newline, quotes or non-ASCII made the old single-diff parse drop the
file (or the whole diff: zero findings, exit 0). The repository's own attributes (``* -diff``,
``* binary``, a textconv) cannot hide a file's text from review either.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from reviewer.diff import ChangeSet, FileChange, FileStatus, hunks_from_github_patch
from reviewer.workspace.git import run

NO_ATTRIBUTES = ("-c", "core.attributesFile=/dev/null", "-c", "core.quotePath=false", "--literal-pathspecs")
DIFF = ("diff", "--no-color", "--no-ext-diff", "--no-textconv")
ZERO = "0" * 40
SNIFF = 8000  # git's own binary heuristic: a NUL byte in the first 8000 bytes
_STATUS = {"A": FileStatus.ADDED, "D": FileStatus.REMOVED, "R": FileStatus.RENAMED, "C": FileStatus.COPIED}


@dataclass(frozen=True)
class RawChange:
    status: FileStatus
    path: str
    old_path: str | None
    new_blob: str
    old_blob: str
    new_mode: str


def _name(raw: bytes) -> str:
    return raw.decode("utf-8", "surrogateescape")


def changed_files(repo: Path, base_sha: str, head_sha: str | None) -> list[RawChange]:
    """``git diff -z --raw``: ``:old_mode new_mode old_blob new_blob status\\0path\\0[new_path\\0]``."""
    revs = [base_sha, *([head_sha] if head_sha else [])]
    fields = run(repo, *NO_ATTRIBUTES, *DIFF, "-z", "--raw", "--no-abbrev", "--find-renames", *revs).split(b"\0")
    out: list[RawChange] = []
    i = 0
    while i < len(fields) and fields[i].startswith(b":"):
        _, new_mode, old_blob, new_blob, letter = fields[i][1:].decode().split()
        status = _STATUS.get(letter[0], FileStatus.MODIFIED)
        if letter[0] in "RC":
            old, new = _name(fields[i + 1]), _name(fields[i + 2])
            i += 3
        else:
            old, new = None, _name(fields[i + 1])
            i += 2
        out.append(RawChange(status, new, old, new_blob, old_blob, new_mode))
    return out


def file_patch(repo: Path, base_sha: str, head_sha: str | None, change: RawChange) -> bytes:
    """One file's diff as text (``--text``: no attribute makes it "Binary files differ")."""
    revs = [base_sha, *([head_sha] if head_sha else [])]
    paths = [change.old_path, change.path] if change.old_path else [change.path]
    renames = ["--find-renames"] if change.status is FileStatus.RENAMED else ["--no-renames"]
    # --literal-pathspecs (in NO_ATTRIBUTES): `*`, `?`, `[` and a leading `:` in a name are plain characters
    return run(repo, *NO_ATTRIBUTES, *DIFF, "--text", "--unified=3", *renames, *revs, "--", *paths)


def _head_start(repo: Path, change: RawChange) -> bytes:
    """The first bytes of the file's newest side: the commit's blob, or the working-tree file."""
    if change.status is FileStatus.REMOVED:
        return run(repo, "cat-file", "blob", change.old_blob)[:SNIFF]
    if change.new_blob != ZERO:
        return run(repo, "cat-file", "blob", change.new_blob)[:SNIFF]
    try:
        fd = os.open(repo / change.path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return b""  # a symlink or a file gone since: git's patch is all we have
    with os.fdopen(fd, "rb") as fh:
        return fh.read(SNIFF)


def _hunk_text(patch: bytes) -> str:
    """The patch from its first ``@@`` on: git's header lines (and the names in them) are not read."""
    start = patch.find(b"\n@@ ")
    if start < 0:
        return ""
    return patch[start + 1:].decode("utf-8", "surrogateescape")


def local_changes(repo: Path, base_sha: str, head_sha: str | None) -> ChangeSet:
    """The ChangeSet between ``base_sha`` and ``head_sha`` (None: the working tree)."""
    changes = ChangeSet(base_sha=base_sha, head_sha=head_sha)
    for raw in changed_files(repo, base_sha, head_sha):
        change = FileChange(path=raw.path, status=raw.status,
                            old_path=raw.old_path if raw.status is FileStatus.RENAMED else None)
        regular = raw.new_mode.startswith("100") or raw.status is FileStatus.REMOVED
        if regular and b"\0" in _head_start(repo, raw):
            change.binary = True
        else:
            text = _hunk_text(file_patch(repo, base_sha, head_sha, raw))
            change.hunks = hunks_from_github_patch(raw.path, text) if text else []
            change.additions = sum(len(h.added) for h in change.hunks)
            change.deletions = sum(len(h.removed) for h in change.hunks)
            if text and not change.hunks:
                changes.notes.append(f"{raw.path!r}: git's diff of this file could not be read; "
                                     "reviewed from its contents")
                change.patch_missing = True
        changes.files[raw.path] = change
    return changes
