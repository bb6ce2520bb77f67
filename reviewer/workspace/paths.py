"""Paths a pull request may have planted: the checkout is the boundary.

A PR can commit a symlink (``arch-review.sarif -> /home/runner/.bashrc``) or a FIFO where we would
read or write. ``contained`` resolves a path inside one of the allowed roots with no symlink on the
way; ``write_text_no_follow`` creates the file without following a symlink that appeared since;
``regular_file`` says what a path is before anything opens it (opening a FIFO would block).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from pathlib import Path

from reviewer.errors import UsageError


def contained(path_text: str, roots: Sequence[Path], what: str) -> Path:
    """``path_text`` (relative to ``roots[0]``, or absolute) as an absolute path under one of
    ``roots``, with no component below the root that is a symlink. UsageError names ``what``."""
    base = Path(os.path.abspath(roots[0]))
    target = Path(os.path.normpath(base / path_text))
    for root in (Path(os.path.abspath(r)) for r in roots):
        if target != root and target.is_relative_to(root):
            _no_symlink_below(root, target, what, path_text)
            return target
    names = " or ".join(str(r) for r in roots)
    raise UsageError(f"{what} {path_text!r} is outside the workspace ({names}); give a path inside it")


def _no_symlink_below(root: Path, target: Path, what: str, path_text: str) -> None:
    current = root
    for part in target.relative_to(root).parts:
        current = current / part
        if current.is_symlink():
            raise UsageError(f"{what} {path_text!r}: {current.relative_to(root)} is a symlink; "
                             "arch-review does not write through symlinks in the workspace")
        if not current.exists():
            return


def write_text_no_follow(target: Path, text: str) -> None:
    """Create or truncate ``target`` (its parents created as plain directories); a symlink in its
    place is refused by the kernel (O_NOFOLLOW), not followed."""
    target.parent.mkdir(parents=True, exist_ok=True)
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(target, flags, 0o644)
    except OSError as exc:
        raise UsageError(f"cannot write {target}: {exc.strerror or exc}") from exc
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)


def file_kind(mode: int) -> str:
    for test, name in ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISSOCK, "a socket"), (stat.S_ISLNK, "a symlink")):
        if test(mode):
            return name
    return "not a regular file"


def regular_file(path: Path, what: str, root: Path | None = None) -> os.stat_result | None:
    """``path``'s stat when it is a regular file, None when it does not exist. A path under ``root``
    that resolves outside it (a symlink out of the repository) is refused without being read, and so
    is anything not a regular file (a directory, FIFO, device, socket): opening a FIFO would block."""
    if root is not None and _lexically_inside(path, root) and not _lexically_inside(path.resolve(), root.resolve()):
        raise UsageError(f"{what} is a symlink that leads outside the repository; it was not read")
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise UsageError(f"cannot read {what}: {exc.strerror or exc}") from exc
    if not stat.S_ISREG(st.st_mode):
        raise UsageError(f"{what} is {file_kind(st.st_mode)}, not a regular file")
    return st


def _lexically_inside(path: Path, root: Path) -> bool:
    return Path(os.path.normpath(os.path.abspath(path))).is_relative_to(os.path.normpath(os.path.abspath(root)))
