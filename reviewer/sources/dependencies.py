"""Third-party distributions a Python project declares, and the top-level import names they provide.

Read from requirements*.txt / *.in, pyproject.toml (PEP 621, dependency groups, Poetry), setup.cfg
``install_requires``, Pipfile and the lock files (poetry.lock, uv.lock, pdm.lock, pylock.toml,
Pipfile.lock). Local path, editable and workspace dependencies are not third-party and are left out:
an import of one of those is still an import of another folder of the repository.
"""

from __future__ import annotations

import configparser
import json
import posixpath
import re
import tomllib
from collections.abc import Iterable, Iterator

from reviewer.classify import FileKind
from reviewer.project import Project, SourceFile

_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
_LOCK_NAME = re.compile(r'^name\s*=\s*"([^"]+)"', re.M)
_LOCAL = re.compile(r"^\s*(-e|--editable|\.|/|file:)|@\s*file:|^\s*[\w.-]+\s*@\s*\.")
# distributions whose import name is not their own name with "-" spelled "_"
_IMPORT_NAMES = {"pyyaml": "yaml", "python-jose": "jose", "python-dateutil": "dateutil", "beautifulsoup4": "bs4",
                 "pillow": "PIL", "scikit-learn": "sklearn", "python-dotenv": "dotenv", "opencv-python": "cv2",
                 "psycopg2-binary": "psycopg2", "python-multipart": "multipart", "pyjwt": "jwt", "grpcio": "grpc",
                 "protobuf": "google", "attrs": "attr", "kafka-python": "kafka", "pymysql": "pymysql",
                 "python-json-logger": "pythonjsonlogger", "msgpack-python": "msgpack", "pyzmq": "zmq",
                 "email-validator": "email_validator", "python-socketio": "socketio", "faust-streaming": "faust"}


_NAMESPACES = {"google", "opentelemetry", "azure", "zope", "backports", "jaraco", "sphinxcontrib", "ruamel"}


def normalise(name: str) -> str:
    """PEP 503: ``Foo_Bar.baz`` -> ``foo-bar-baz``."""
    return re.sub(r"[-_.]+", "-", name).lower()


def import_names(distribution: str) -> set[str]:
    """Top-level modules a distribution most likely provides (``python-jose`` -> ``jose``)."""
    dist = normalise(distribution)
    names = {dist.replace("-", "_")}
    if dist in _IMPORT_NAMES:
        names.add(_IMPORT_NAMES[dist])
    for prefix in ("python-", "py-"):
        if dist.startswith(prefix):
            names.add(dist[len(prefix):].replace("-", "_"))
    if dist.endswith(("-python", "-py")):
        names.add(dist.rsplit("-", 1)[0].replace("-", "_"))
    if dist.split("-", 1)[0] in _NAMESPACES:  # google-cloud-storage -> google
        names.add(dist.split("-", 1)[0])
    return names


def declared(path: str, text: str) -> set[str]:
    """Normalised names of the third-party distributions a dependency file declares."""
    name = posixpath.basename(path).lower()
    try:
        if name.endswith((".txt", ".in")):
            return set(_requirement_lines(text.splitlines()))
        if name == "setup.cfg":
            return _setup_cfg(text)
        if name == "pipfile.lock":
            data = json.loads(text)
            return {normalise(k) for section in ("default", "develop") for k in (data.get(section) or {})}
        if name.endswith(".lock") or name.startswith("pylock."):
            return {normalise(n) for n in _LOCK_NAME.findall(text)} - _local_lock_entries(text)
        data = tomllib.loads(text)
    except (ValueError, configparser.Error, AttributeError):
        return set()
    return _pipfile(data) if name == "pipfile" else _pyproject(data)


def _requirement_lines(lines: Iterable[str]) -> Iterator[str]:
    for raw in lines:
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith(("#", "-r", "-c", "--")) or _LOCAL.search(line):
            continue
        m = _NAME.match(line)
        if m:
            yield normalise(m.group(1))


def _setup_cfg(text: str) -> set[str]:
    parser = configparser.ConfigParser(interpolation=None)
    parser.read_string(text)
    lines = parser.get("options", "install_requires", fallback="").splitlines()
    for _, value in parser.items("options.extras_require") if parser.has_section("options.extras_require") else ():
        lines += value.splitlines()
    return set(_requirement_lines(lines))


def _pyproject(data: dict) -> set[str]:
    project = data.get("project") or {}
    lines = list(project.get("dependencies") or [])
    for extra in (project.get("optional-dependencies") or {}).values():
        lines += list(extra or [])
    for group in (data.get("dependency-groups") or {}).values():
        lines += [g for g in group or [] if isinstance(g, str)]
    tool = data.get("tool") or {}
    lines += list((tool.get("uv") or {}).get("dev-dependencies") or [])
    out = set(_requirement_lines(x for x in lines if isinstance(x, str)))
    poetry = tool.get("poetry") or {}
    tables = [poetry.get("dependencies"), poetry.get("dev-dependencies"),
              *((g or {}).get("dependencies") for g in (poetry.get("group") or {}).values())]
    for table in tables:
        out |= {normalise(k) for k, v in (table or {}).items() if k != "python" and not _local_spec(v)}
    local = {normalise(k) for k, v in ((tool.get("uv") or {}).get("sources") or {}).items() if _local_spec(v)}
    return out - local


def _pipfile(data: dict) -> set[str]:
    return {normalise(k) for section in ("packages", "dev-packages") for k, v in (data.get(section) or {}).items()
            if not _local_spec(v)}


def _local_spec(spec: object) -> bool:
    """``{path = "../orders"}``, ``{workspace = true}``, ``{file = ...}``: a folder, not a distribution."""
    return isinstance(spec, dict) and any(k in spec for k in ("path", "workspace", "file", "editable"))


def _local_lock_entries(text: str) -> set[str]:
    """Lock entries whose source is a directory or an editable checkout (uv, poetry, pdm)."""
    out = set()
    for block in re.split(r"^\[\[package\]\]\s*$", text, flags=re.M)[1:]:
        m = _LOCK_NAME.search(block)
        if m and re.search(r'(editable|directory|virtual|path)\s*=\s*"|type\s*=\s*"directory"', block):
            out.add(normalise(m.group(1)))
    return out


def declared_imports(project: Project, directory: str) -> frozenset[str]:
    """Top-level import names of the third-party distributions declared by the dependency files in
    ``directory`` and every directory above it (a service's own files and the repository's)."""
    def build() -> frozenset[str]:
        here = {n for f in _by_directory(project).get(directory, [])
                for dist in declared(f.path, f.text) for n in import_names(dist)}
        above = declared_imports(project, posixpath.dirname(directory)) if directory else frozenset()
        return frozenset(here) | above
    return project.memo(f"declared-imports:{directory}", build)  # type: ignore[return-value]


def _by_directory(project: Project) -> dict[str, list[SourceFile]]:
    def build() -> dict[str, list[SourceFile]]:
        out: dict[str, list[SourceFile]] = {}
        for f in project.of_kind(FileKind.DEPENDENCIES):
            out.setdefault(posixpath.dirname(f.path), []).append(f)
        return out
    return project.memo("dependency-files", build)  # type: ignore[return-value]
