"""Path + content -> FileKind. Only relevant kinds go on to parsing and rules."""

from __future__ import annotations

import re
from enum import StrEnum
from functools import lru_cache
from pathlib import PurePosixPath


class FileKind(StrEnum):
    PYTHON = "python"
    COMPOSE = "compose"
    DOCKERFILE = "dockerfile"
    K8S = "kubernetes"
    HELM = "helm"
    OPENAPI = "openapi"
    ENV = "env"
    DEPENDENCIES = "dependencies"  # requirements*.txt, pyproject.toml, setup.cfg, Pipfile, lock files
    DEVLOOP = "devloop"  # Tiltfile, garden.yml: the local build loop that builds and tags images
    OTHER = "other"

    @property
    def relevant(self) -> bool:
        return self not in (FileKind.OTHER,)


_COMPOSE_NAME = re.compile(r"^(docker-)?compose([.-][\w.-]+)?\.ya?ml$", re.I)
_DOCKERFILE_NAME = re.compile(r"^(Dockerfile|Containerfile)([.-][\w.-]+)?$|^[\w.-]+\.(dockerfile|Dockerfile)$")
_K8S_MARKERS = (re.compile(r"^apiVersion:\s*\S", re.M), re.compile(r"^kind:\s*\S", re.M))
_OPENAPI = re.compile(r"^(openapi|swagger):\s*[\"']?\d", re.M)
# `kubectl get -o json` and generators write manifests as JSON: a top-level object with both string keys
_K8S_JSON = (re.compile(r'"apiVersion"\s*:\s*"[^"]+"'), re.compile(r'"kind"\s*:\s*"[A-Za-z]'))
_TEMPLATE = re.compile(r"\{\{-?\s")
_DEPENDENCY_NAMES = {"pyproject.toml", "setup.cfg", "pipfile", "pipfile.lock", "poetry.lock", "uv.lock", "pdm.lock",
                     "pylock.toml"}
_REQUIREMENTS = re.compile(r"^requirements([._-][\w.-]+)?\.(txt|in)$|^pylock\.[\w.-]+\.toml$", re.I)
_DEVLOOP = re.compile(r"^(Tiltfile|[\w.-]+\.tiltfile|garden\.ya?ml|[\w.-]+\.garden\.ya?ml)$", re.I)
_YAML_EXT = {".yaml", ".yml"}


@lru_cache(maxsize=65536)
def kind_from_path(path: str) -> FileKind | None:
    """The kind when the path alone decides it; None when the content must be read. Asked for
    every path of a tree, often twice: string operations, cached (PurePosixPath cost 18 ms a
    700-file review)."""
    parent, _, name = path.rpartition("/")
    dot = name.rfind(".")
    suffix = name[dot:] if dot > 0 else ""
    if suffix == ".py":
        return FileKind.PYTHON
    if _DOCKERFILE_NAME.match(name):
        return FileKind.DOCKERFILE
    if name == ".env" or (name.startswith(".env.") and not name.endswith(".example")):
        return FileKind.ENV
    if name.lower() in _DEPENDENCY_NAMES or _REQUIREMENTS.match(name) or (
            suffix == ".txt" and parent.rpartition("/")[2] == "requirements"):
        return FileKind.DEPENDENCIES
    if _DEVLOOP.match(name):
        return FileKind.DEVLOOP
    if _COMPOSE_NAME.match(name):
        return FileKind.COMPOSE
    if suffix.lower() in _YAML_EXT or suffix.lower() == ".json":
        return None
    if suffix.lower() == ".tpl":
        return FileKind.HELM
    return FileKind.OTHER


def may_be_relevant(path: str) -> bool:
    """False only when the path alone rules the file out; YAML and JSON need their content read."""
    return kind_from_path(path) is not FileKind.OTHER


def classify(path: str, text: str | None) -> FileKind:
    kind = kind_from_path(path)
    if kind is not None:
        return kind
    if text is None:
        return FileKind.OTHER
    p = PurePosixPath(path)
    is_yaml = p.suffix.lower() in _YAML_EXT
    templated = "templates" in p.parts or _TEMPLATE.search(text)
    if is_yaml and templated and ("templates" in p.parts or _looks_like_k8s(text)):
        return FileKind.HELM
    if _OPENAPI.search(text[:4000]) or (p.suffix == ".json" and '"openapi"' in text[:2000]):
        return FileKind.OPENAPI
    if is_yaml and _looks_like_k8s(text):
        return FileKind.K8S
    if p.suffix.lower() == ".json" and text.lstrip().startswith("{") and all(m.search(text) for m in _K8S_JSON):
        return FileKind.K8S
    if is_yaml and p.name.lower() in {"chart.yaml", "values.yaml"}:
        return FileKind.OTHER
    return FileKind.OTHER


def _looks_like_k8s(text: str) -> bool:
    return all(m.search(text) for m in _K8S_MARKERS)


def is_test_path(path: str) -> bool:
    """Test code: under a tests/ directory, ``test_*.py``, ``*_test.py``, ``conftest.py``, test settings."""
    parts = path.split("/")
    name = parts[-1]
    return bool({"tests", "test", "testing"} & set(parts[:-1])) or name.startswith("test_") or name.endswith(
        "_test.py") or name in ("conftest.py", "test.py", "tests.py", "testing.py")
