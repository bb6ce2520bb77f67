"""What compose files and Kubernetes manifests tell the service model about a service: where its
code is built from, and the environment it runs with (``.env`` and ConfigMap values expanded)."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from reviewer.services.endpoints import expand_vars
from reviewer.services.model import EnvVar
from reviewer.sources.compose import ComposeService
from reviewer.sources.k8s_objects import as_list
from reviewer.sources.yaml_docs import YMap, get_path


def _norm(path: str) -> str | None:
    """A repository-relative posix path, or None when it leaves the repository."""
    p = posixpath.normpath(path)
    if p == ".":
        return ""
    if p.startswith("..") or p.startswith("/"):
        return None
    return p


def build_root(build: object, base: str, dotenv: dict[str, str]) -> str | None:
    """The service's code root: the build context, or the Dockerfile's directory when one context
    (often the repository root, to reach shared libraries) builds several services."""
    if not build:
        return None
    context = build.get("context", ".") if isinstance(build, dict) else build
    root = _norm(posixpath.join(base, expand_vars(str(context), dotenv)))
    dockerfile = build.get("dockerfile") if isinstance(build, dict) else None
    if root is not None and isinstance(dockerfile, str) and "/" in dockerfile.strip("./"):
        sub = _norm(posixpath.join(root, posixpath.dirname(dockerfile)))
        return sub if sub is not None and sub != root else root
    return root


def compose_env(cs: ComposeService, path: str, dotenv: dict[str, str]) -> Iterator[EnvVar]:
    """Compose ``environment:`` in map or ``K=V`` list form, values expanded from ``.env``."""
    for var in cs.environment:
        value = None if var.value is None else expand_vars(str(var.value), dotenv)
        yield EnvVar(var.name, value, path, var.line)


def workload_env(c: YMap, path: str, configmaps: dict[str, tuple[str, YMap]]) -> Iterator[EnvVar]:
    for item in as_list(c.get("env")):
        if not isinstance(item, YMap) or not isinstance(item.get("name"), str):
            continue
        if "value" in item:
            value = item.get("value")
            yield EnvVar(item["name"], None if value is None else str(value), path, item.value_line("value"))
        ref = get_path(item, "valueFrom", "configMapKeyRef")
        if isinstance(ref, dict) and isinstance(ref.get("name"), str) and ref["name"] in configmaps:
            cm_path, data = configmaps[ref["name"]]
            key = ref.get("key")
            if key in data:
                yield EnvVar(item["name"], str(data[key]), cm_path, data.line_of(key))
    for src in as_list(c.get("envFrom")):
        name = get_path(src, "configMapRef", "name")
        if isinstance(name, str) and name in configmaps:
            cm_path, data = configmaps[name]
            prefix = str(src.get("prefix") or "")
            for key, value in data.items():
                yield EnvVar(prefix + str(key), None if value is None else str(value), cm_path, data.line_of(key))
