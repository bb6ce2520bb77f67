"""The change under review: files, hunks, and which new-side lines can carry a comment."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from unidiff import PatchSet
from unidiff.errors import UnidiffParseError


class FileStatus(StrEnum):
    ADDED = "added"
    MODIFIED = "modified"
    REMOVED = "removed"
    RENAMED = "renamed"
    COPIED = "copied"
    CHANGED = "changed"
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class Hunk:
    target_start: int
    target_length: int
    added: frozenset[int]  # new-side line numbers added by the hunk
    visible: frozenset[int]  # new-side lines shown in the hunk (added + context): RIGHT-side commentable
    removed: tuple[tuple[int, str], ...] = ()  # (new-side line it followed, text) of each deleted line


@dataclass
class FileChange:
    path: str
    status: FileStatus = FileStatus.MODIFIED
    old_path: str | None = None
    hunks: list[Hunk] = field(default_factory=list)
    binary: bool = False
    patch_missing: bool = False  # GitHub omits the patch of very large diffs
    additions: int = 0
    deletions: int = 0

    def commentable(self, line: int) -> bool:
        return any(line in h.visible for h in self.hunks)

    @property
    def added_lines(self) -> frozenset[int]:
        return frozenset().union(*(h.added for h in self.hunks)) if self.hunks else frozenset()

    def is_changed_line(self, line: int) -> bool:
        return any(line in h.added for h in self.hunks)

    def in_one_hunk(self, first: int, last: int) -> bool:
        """Lines ``first..last`` all shown in one hunk: one review comment (and one suggestion) can span them."""
        return any(all(n in h.visible for n in range(first, last + 1)) for h in self.hunks)



@dataclass
class ChangeSet:
    files: dict[str, FileChange] = field(default_factory=dict)
    base_sha: str | None = None
    head_sha: str | None = None
    notes: list[str] = field(default_factory=list)

    def get(self, path: str) -> FileChange | None:
        return self.files.get(path)

    def commentable(self, path: str, line: int) -> bool:
        change = self.files.get(path)
        return change is not None and change.commentable(line)

    @property
    def reviewable_paths(self) -> list[str]:
        """Paths present on the head side (deleted files have nothing to review)."""
        return [p for p, c in self.files.items() if c.status is not FileStatus.REMOVED and not c.binary]


def _hunks_from_patched_file(patched) -> list[Hunk]:
    hunks = []
    for h in patched:
        added, visible, removed = set(), set(), []
        last = h.target_start - 1  # the new-side line a deletion follows
        for line in h:
            if line.is_removed:
                removed.append((last, line.value.rstrip("\r\n")))
                continue
            if line.target_line_no is None:
                continue
            last = line.target_line_no
            visible.add(line.target_line_no)
            if line.is_added:
                added.add(line.target_line_no)
        hunks.append(Hunk(h.target_start, h.target_length, frozenset(added), frozenset(visible), tuple(removed)))
    return hunks


def _strip(path: str | None) -> str | None:
    if path is None or path == "/dev/null":
        return None
    return path[2:] if path.startswith(("a/", "b/")) else path


def parse_unified_diff(text: str) -> ChangeSet:
    """A ``git diff`` (with --find-renames) as a ChangeSet."""
    changes = ChangeSet()
    try:
        patch = PatchSet(text)
    except UnidiffParseError as exc:
        changes.notes.append(f"could not parse the diff: {exc}")
        return changes
    for pf in patch:
        target = _strip(pf.target_file)
        source = _strip(pf.source_file)
        if pf.is_removed_file:
            status, path = FileStatus.REMOVED, source or pf.path
        elif pf.is_added_file:
            status, path = FileStatus.ADDED, target or pf.path
        elif pf.is_rename:
            status, path = FileStatus.RENAMED, target or pf.path
        else:
            status, path = FileStatus.MODIFIED, target or pf.path
        changes.files[path] = FileChange(
            path=path, status=status,
            old_path=source if pf.is_rename else None,
            hunks=_hunks_from_patched_file(pf),
            binary=pf.is_binary_file,
            additions=pf.added, deletions=pf.removed,
        )
    return changes


def hunks_from_github_patch(path: str, patch: str) -> list[Hunk]:
    """The ``patch`` field of ``GET /pulls/{n}/files`` holds only hunks: add headers to parse it. The
    headers carry a fixed name: a real one may hold `` b/``, a tab or a newline that unidiff would misread."""
    text = f"--- a/file\n+++ b/file\n{patch}"
    if not text.endswith("\n"):
        text += "\n"
    try:
        patched = PatchSet(text)
    except UnidiffParseError:
        return []
    return _hunks_from_patched_file(patched[0]) if len(patched) else []


def from_github_files(entries: Iterable[Mapping[str, object]], head_sha: str | None = None,
                      base_sha: str | None = None) -> ChangeSet:
    """Build a ChangeSet from the JSON of ``GET /repos/{o}/{r}/pulls/{n}/files``."""
    changes = ChangeSet(head_sha=head_sha, base_sha=base_sha)
    for entry in entries:
        path = entry.get("filename")
        if not isinstance(path, str) or not path:
            changes.notes.append(f"GitHub listed a changed file without a name ({str(entry)[:80]}); skipped")
            continue
        status = _status(entry.get("status", "modified"))
        if status is None:
            changes.notes.append(f"{path}: unknown change status {str(entry.get('status'))[:40]!r}, read as modified")
            status = FileStatus.MODIFIED
        patch = entry.get("patch")
        change = FileChange(path=path, status=status,
                            old_path=str(entry["previous_filename"]) if entry.get("previous_filename") else None,
                            additions=_count(entry.get("additions")), deletions=_count(entry.get("deletions")))
        if isinstance(patch, str) and patch:
            change.hunks = hunks_from_github_patch(path, patch)
        elif status is not FileStatus.REMOVED and (change.additions or change.deletions):
            # GitHub leaves the patch out of too-large diffs (and binary files); review from contents
            change.patch_missing = True
        changes.files[path] = change
    return changes


def _status(value: object) -> FileStatus | None:
    try:
        return FileStatus(str(value))
    except ValueError:  # a status GitHub adds later must not stop the review
        return None


def _count(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0
