"""The files a run looks at: read once, classified once, parsed lazily and at most once.

Pure: the bytes come from a ``FileSource`` (see ``reviewer.workspace``)."""

from __future__ import annotations

import bisect
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Protocol

from reviewer.classify import FileKind, classify, kind_from_path, may_be_relevant
from reviewer.errors import SourceError
from reviewer.sources.dockerfile import Dockerfile, parse_dockerfile
from reviewer.sources.helm import HelmTemplate, sanitize_template
from reviewer.sources.python_ast import PythonModule, parse_python

if TYPE_CHECKING:
    from reviewer.sources.yaml_docs import YamlDoc

# Generated or vendored files this large are not architecture; a note says they were skipped.
MAX_FILE_BYTES = 1_000_000


class FileSource(Protocol):
    """Where file contents come from: a directory, a git tree, the GitHub API, a dict in tests."""

    def paths(self) -> Iterable[str]: ...

    def read(self, path: str) -> bytes | None: ...


@dataclass
class SourceFile:
    """One file as rules see it. Parsing happens on first use; failures become ``error``. A file
    that is only context for a review may be read on first use too (``load``)."""

    path: str
    kind: FileKind
    _text: str | None = field(default=None, repr=False)
    error: SourceError | None = None
    notes: list[str] = field(default_factory=list)
    load: Callable[[], bytes | None] | None = field(default=None, repr=False, compare=False)

    @property
    def text(self) -> str:
        if self._text is None:
            data = self.load() if self.load is not None else None
            text, problem = decode(self.path, data) if data is not None else ("", None)
            if text is None:  # binary, not UTF-8 or too large: found out only now, so said here
                self.error, text = SourceError(self.path, (problem or "").split(": ", 1)[-1]), ""
            self._text = text
        return self._text

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
        from reviewer.sources.yaml_docs import load_yaml  # a Python-only review never needs PyYAML

        tpl = self.helm_template
        loaded = load_yaml(tpl.text if tpl is not None else self.text, self.path)
        docs = loaded.docs
        if loaded.error is not None:
            self.error = loaded.error
        # a skipped document or a duplicate key is named on its own: the rest of the file is reviewed
        self.notes.extend(str(p) for p in loaded.problems)
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
        """The document holding ``line``; a bisect, since suppression asks it for every finding."""
        docs = self.yaml_docs
        i = bisect.bisect_right(self._doc_starts, line) - 1
        return docs[i] if i >= 0 and docs[i].start_line <= line <= docs[i].end_line else None

    @cached_property
    def _doc_starts(self) -> list[int]:
        return [d.start_line for d in self.yaml_docs]


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


# kinds decided by the path alone: asking for them never needs a pending YAML file classified
_KNOWN_BY_PATH = frozenset({FileKind.PYTHON, FileKind.DOCKERFILE, FileKind.COMPOSE, FileKind.ENV,
                            FileKind.DEPENDENCIES, FileKind.DEVLOOP})


class Project:
    """Every relevant file of one tree, plus which of them a review targets."""

    def __init__(self, files: dict[str, SourceFile], skipped: dict[str, str] | None = None) -> None:
        self._files = files
        self.skipped = skipped if skipped is not None else {}  # path -> why it was not reviewed
        self._cache: dict[str, object] = {}
        # YAML/JSON context files not read yet: their kind needs their content (see ``load``)
        self._pending: dict[str, FileSource] = {}

    @property
    def files(self) -> dict[str, SourceFile]:
        """Every relevant file by path (asking for all of them classifies the pending ones)."""
        self._classify_pending()
        return self._files

    def _classify_pending(self) -> None:
        if not self._pending:
            return
        pending, self._pending = self._pending, {}
        by_source: dict[int, tuple[FileSource, list[str]]] = {}
        for path, source in pending.items():
            by_source.setdefault(id(source), (source, []))[1].append(path)
        for source, paths in by_source.values():
            read_many = getattr(source, "read_many", None)
            blobs = read_many(paths) if read_many is not None else {p: source.read(p) for p in paths}
            for path in paths:
                self._add(path, blobs.get(path))

    def python_paths(self) -> frozenset[str]:
        """The Python files' paths, without classifying YAML (Python is known by its path)."""
        return frozenset(p for p in self._files if p.endswith(".py"))

    @classmethod
    def load(cls, source: FileSource, only: Iterable[str] | None = None,
             include: object = None, eager: Collection[str] | None = None) -> Project:
        """Read and classify files from ``source``. ``include(path) -> bool`` filters paths.

        ``eager``: a review's changed paths. The other files are context: from a git tree, those
        whose kind the path decides are read only when a rule asks for them (a one-line change
        in a 700-file tree reads a few), the rest (YAML needs its content to be classified) at once."""
        project = cls({})
        paths = [p for p in (only if only is not None else source.paths())
                 if may_be_relevant(p) and (include is None or include(p))]  # type: ignore[operator]
        read_many = getattr(source, "read_many", None)
        if read_many is None:
            for path in paths:
                project._read(source, path)
            return project
        if eager is not None:
            wanted = set(eager)
            context = [p for p in paths if p not in wanted]
            for path in context:
                kind = kind_from_path(path)
                if kind is None:  # YAML or JSON: classified when a rule first asks for such files
                    project._pending[path] = source
                else:
                    project._files[path] = SourceFile(path, kind, load=lambda p=path: source.read(p))
            paths = [p for p in paths if p in wanted]
        blobs = read_many(paths)  # a git tree answers many reads at once
        for path in paths:
            project._add(path, blobs.get(path))
        return project

    def _read(self, source: FileSource, path: str) -> None:
        if may_be_relevant(path):  # the path alone rules it out: its bytes are never read
            self._add(path, source.read(path))

    def _add(self, path: str, data: bytes | None) -> None:
        if data is None:
            return
        text, problem = decode(path, data)
        if text is None:
            self.skipped[path] = problem or path
            return
        kind = classify(path, text)
        if kind is not FileKind.OTHER:
            self._files[path] = SourceFile(path, kind, text)

    def derive(self, removed: Iterable[str], source: FileSource, added: Iterable[str]) -> Project:
        """Another tree that differs from this one only in a few files (the base of a change):
        the files not named are shared, parses included; ``added`` are read from ``source``."""
        gone = set(removed)
        other = Project({p: f for p, f in self._files.items() if p not in gone},
                        {p: why for p, why in self.skipped.items() if p not in gone})
        other._pending = {p: s for p, s in self._pending.items() if p not in gone}
        for path in added:
            other._read(source, path)
        return other

    def of_kind(self, *kinds: FileKind) -> Iterator[SourceFile]:
        if self._pending and not set(kinds) <= _KNOWN_BY_PATH:
            self._classify_pending()
        for f in self._files.values():
            if f.kind in kinds:
                yield f

    def get(self, path: str) -> SourceFile | None:
        source = self._pending.pop(path, None)
        if source is not None:
            self._add(path, source.read(path))
        return self._files.get(path)

    def memo(self, key: str, build: object) -> object:
        """Build a derived model (e.g. the service model) once per run and share it."""
        if key not in self._cache:
            self._cache[key] = build()  # type: ignore[operator]
        return self._cache[key]
