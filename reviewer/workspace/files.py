"""File sources that are not a git commit: a directory on disk and a dict (tests, API reads)."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from reviewer.workspace.git import SKIP_DIRS, in_skipped_dir, probe


@dataclass
class DictSource:
    files: dict[str, bytes | str]

    def paths(self) -> Iterable[str]:
        return list(self.files)

    def read(self, path: str) -> bytes | None:
        data = self.files.get(path)
        return data.encode() if isinstance(data, str) else data


@dataclass
class DirectorySource:
    """A directory on disk. Inside a git work tree, the files git would track (``.gitignore`` is
    honoured, so build output and virtualenvs stay out); elsewhere, a walk of the tree."""

    root: Path

    def paths(self) -> Iterable[str]:
        listed = self._git_listing()
        if listed is not None:
            return [p for p in listed if not in_skipped_dir(p)]
        return self._walk()

    def _git_listing(self) -> list[str] | None:
        """None outside a work tree, and for a directory its repository ignores (then the user
        asked for exactly that directory: walk it)."""
        ignored = probe(self.root, "check-ignore", "-q", ".")
        if ignored is None or ignored[0] != 1:  # 0: ignored; 128: not in a work tree
            return None
        listed = probe(self.root, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
        if listed is None or listed[0] != 0:
            return None
        return sorted({p for p in listed[1].decode("utf-8", "surrogateescape").split("\0") if p})

    def _walk(self) -> Iterator[str]:
        """Every file below the root, minus what its ``.gitignore`` files exclude (read with the same
        matcher as the config's globs, pathspec's .gitignore semantics), as git itself would list."""
        from reviewer.config import PathGlobs

        root = str(self.root)
        ignored = PathGlobs()
        for dirpath, dirnames, filenames in os.walk(root):
            rel = os.path.relpath(dirpath, root).replace(os.sep, "/")
            base = "" if rel == "." else f"{rel}/"
            if ".gitignore" in filenames:
                for pattern in _gitignore_patterns(Path(dirpath) / ".gitignore", base):
                    ignored.add(pattern)
            dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and not d.endswith(".egg-info")
                                 and not ignored.match(f"{base}{d}/\0"))  # a name no file pattern takes
            for name in sorted(filenames):
                if not ignored.match(base + name):
                    yield base + name

    def read(self, path: str) -> bytes | None:
        try:
            full = self.root / path
            if full.is_symlink() or not full.is_file():
                return None
            return full.read_bytes()
        except OSError:
            return None


def _gitignore_patterns(path: Path, base: str) -> list[str]:
    """The patterns of one .gitignore, rewritten relative to the root: git reads a nested file's
    patterns relative to its directory, and one without a slash still matches at any depth below it."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    out = []
    for line in text.splitlines():
        line = line.rstrip()
        if not line or line.startswith("#"):
            continue
        negated, pattern = line.startswith("!"), line.removeprefix("!")
        if base:
            anchored = "/" in pattern.rstrip("/")
            pattern = f"{base}{pattern.lstrip('/')}" if anchored else f"{base}**/{pattern}"
        out.append(("!" if negated else "") + pattern)
    return out

