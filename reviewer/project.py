"""The files a run looks at: read once, classified once, parsed lazily and at most once."""

from __future__ import annotations

import os
import subprocess
import weakref
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Protocol

from reviewer.classify import FileKind, classify, may_be_relevant
from reviewer.errors import GitError, SourceError
from reviewer.sources.dockerfile import Dockerfile, parse_dockerfile
from reviewer.sources.helm import HelmTemplate, sanitize_template
from reviewer.sources.python_ast import PythonModule, parse_python
from reviewer.sources.yaml_docs import YamlDoc, parse_yaml

# Generated or vendored files this large are not architecture; a note says they were skipped.
MAX_FILE_BYTES = 1_000_000
_SKIP_DIRS = {".git", "node_modules", ".venv", "venv", "__pycache__", ".tox", ".mypy_cache",
              ".pytest_cache", "site-packages", "dist", "build", ".ruff_cache"}


class FileSource(Protocol):
    """Where file contents come from: a directory, a git tree, the GitHub API, a dict in tests."""

    def paths(self) -> Iterable[str]: ...

    def read(self, path: str) -> bytes | None: ...


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
            return [p for p in listed if not (set(p.split("/")[:-1]) & _SKIP_DIRS)]
        return self._walk()

    def _git_listing(self) -> list[str] | None:
        """None outside a work tree, and for a directory its repository ignores (then the user
        asked for exactly that directory: walk it)."""
        try:
            ignored = subprocess.run(["git", "-C", str(self.root), "check-ignore", "-q", "."],
                                     capture_output=True, check=False)
            if ignored.returncode != 1:  # 0: ignored; 128: not in a work tree
                return None
            proc = subprocess.run(["git", "-C", str(self.root), "ls-files", "-z", "--cached", "--others",
                                   "--exclude-standard"], capture_output=True, check=False)
        except OSError:
            return None
        if proc.returncode != 0:
            return None
        return sorted({p for p in proc.stdout.decode("utf-8", "surrogateescape").split("\0") if p})

    def _walk(self) -> Iterator[str]:
        root = str(self.root)
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = sorted(d for d in dirnames if d not in _SKIP_DIRS and not d.endswith(".egg-info"))
            rel = os.path.relpath(dirpath, root)
            for name in sorted(filenames):
                yield name if rel == "." else f"{rel}/{name}".replace(os.sep, "/")

    def read(self, path: str) -> bytes | None:
        try:
            full = self.root / path
            if full.is_symlink() or not full.is_file():
                return None
            return full.read_bytes()
        except OSError:
            return None


@dataclass
class GitTreeSource:
    """Files of one commit, read with ``git cat-file --batch`` (one process for all blobs)."""

    repo: Path
    ref: str
    _blobs: dict[str, str] | None = None
    _proc: subprocess.Popen[bytes] | None = field(default=None, repr=False, compare=False)

    def _git(self, *args: str, data: bytes | None = None) -> bytes:
        try:
            return subprocess.run(["git", "-C", str(self.repo), *args], input=data,
                                  capture_output=True, check=True).stdout
        except subprocess.CalledProcessError as exc:
            raise GitError(f"git {' '.join(args)} failed: {exc.stderr.decode(errors='replace').strip()}") from exc
        except FileNotFoundError as exc:
            raise GitError("git is not installed") from exc

    def _index(self) -> dict[str, str]:
        if self._blobs is None:
            out = self._git("ls-tree", "-r", "-z", "--full-tree", self.ref)
            blobs = {}
            for entry in out.split(b"\0"):
                if not entry:
                    continue
                meta, _, name = entry.partition(b"\t")
                mode, kind, sha = meta.split()
                if kind == b"blob" and mode != b"120000":
                    blobs[name.decode("utf-8", "surrogateescape")] = sha.decode()
            self._blobs = blobs
        return self._blobs

    def paths(self) -> Iterable[str]:
        return [p for p in self._index() if not (set(p.split("/")[:-1]) & _SKIP_DIRS)]

    def read(self, path: str) -> bytes | None:
        sha = self._index().get(path)
        if sha is None:
            return None
        proc = self._batch()
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write(sha.encode() + b"\n")
        proc.stdin.flush()
        header = proc.stdout.readline().split()  # "<sha> blob <size>" or "<sha> missing"
        if len(header) != 3:
            return None
        data = proc.stdout.read(int(header[2]))
        proc.stdout.read(1)  # the newline after each object
        return data

    def _batch(self) -> subprocess.Popen[bytes]:
        """One ``git cat-file --batch`` for every blob: a process per file costs seconds on a big tree."""
        if self._proc is None:
            try:
                self._proc = subprocess.Popen(["git", "-C", str(self.repo), "cat-file", "--batch"],
                                              stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                              stderr=subprocess.DEVNULL)
            except FileNotFoundError as exc:
                raise GitError("git is not installed") from exc
            weakref.finalize(self, _close_batch, self._proc)
        return self._proc


def _close_batch(proc: subprocess.Popen[bytes]) -> None:
    if proc.stdin is not None:
        proc.stdin.close()
    proc.wait()
    if proc.stdout is not None:
        proc.stdout.close()


@dataclass
class SourceFile:
    """One file as rules see it. Parsing happens on first use; failures become ``error``."""

    path: str
    kind: FileKind
    text: str
    error: SourceError | None = None
    notes: list[str] = field(default_factory=list)

    @cached_property
    def lines(self) -> list[str]:
        return self.text.splitlines()

    def line_text(self, line: int) -> str:
        return self.lines[line - 1] if 0 < line <= len(self.lines) else ""

    @cached_property
    def helm_template(self) -> HelmTemplate | None:
        """A Helm template rewritten as YAML with its lines kept (None for other kinds)."""
        return sanitize_template(self.text) if self.kind is FileKind.HELM else None

    @cached_property
    def yaml_docs(self) -> list[YamlDoc]:
        tpl = self.helm_template
        docs, err = parse_yaml(tpl.text if tpl is not None else self.text, self.path)
        if err is not None:
            self.error = err
        if tpl is not None and tpl.skipped:
            self.notes.append(f"{self.path}: Helm template, {tpl.skipped} templated "
                              f"line{'' if tpl.skipped == 1 else 's'} skipped")
        return docs

    @cached_property
    def dockerfile(self) -> Dockerfile:
        return parse_dockerfile(self.text)

    @cached_property
    def python(self) -> PythonModule | None:
        try:
            return PythonModule(self.path, parse_python(self.text, self.path))
        except SyntaxError as exc:
            self.error = SourceError(self.path, f"Python syntax error: {exc.msg}", exc.lineno)
            return None
        except (ValueError, RecursionError) as exc:
            self.error = SourceError(self.path, f"cannot parse Python: {exc}")
            return None

    def doc_at(self, line: int) -> YamlDoc | None:
        for doc in self.yaml_docs:
            if doc.start_line <= line <= doc.end_line:
                return doc
        return None


def decode(path: str, data: bytes) -> tuple[str | None, str | None]:
    """Text, or None and the reason it is not reviewed (binary, not UTF-8, too large)."""
    if len(data) > MAX_FILE_BYTES:
        return None, f"{path}: skipped, {len(data) // 1024} KiB is larger than the {MAX_FILE_BYTES // 1000} kB limit"
    if b"\0" in data[:8192]:
        return None, f"{path}: skipped, binary file"
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        return None, f"{path}: skipped, not UTF-8 text (byte {exc.start})"


class Project:
    """Every relevant file of one tree, plus which of them a review targets."""

    def __init__(self, files: dict[str, SourceFile], skipped: dict[str, str] | None = None) -> None:
        self.files = files
        self.skipped = skipped if skipped is not None else {}  # path -> why it was not reviewed
        self._cache: dict[str, object] = {}

    @classmethod
    def load(cls, source: FileSource, only: Iterable[str] | None = None,
             include: object = None) -> Project:
        """Read and classify files from ``source``. ``include(path) -> bool`` filters paths."""
        files: dict[str, SourceFile] = {}
        skipped: dict[str, str] = {}
        for path in (only if only is not None else source.paths()):
            if include is not None and not include(path):  # type: ignore[operator]
                continue
            data = source.read(path)
            if data is None:
                continue
            if not may_be_relevant(path):
                continue
            text, problem = decode(path, data)
            if text is None:
                skipped[path] = problem or path
                continue
            kind = classify(path, text)
            if kind is FileKind.OTHER:
                continue
            files[path] = SourceFile(path, kind, text)
        return cls(files, skipped)

    def of_kind(self, *kinds: FileKind) -> Iterator[SourceFile]:
        for f in self.files.values():
            if f.kind in kinds:
                yield f

    def get(self, path: str) -> SourceFile | None:
        return self.files.get(path)

    def memo(self, key: str, build: object) -> object:
        """Build a derived model (e.g. the service model) once per run and share it."""
        if key not in self._cache:
            self._cache[key] = build()  # type: ignore[operator]
        return self._cache[key]
