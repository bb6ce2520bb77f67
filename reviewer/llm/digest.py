"""A compact map of the repository's services for the model: names, not contents."""

from __future__ import annotations

import re
from typing import Any

from reviewer.classify import FileKind
from reviewer.project import Project

MAX_LINES = 60
_WORKLOADS = {"Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "Service", "Ingress"}
_ROUTE = re.compile(r"^\s*@\w+\.(get|post|put|patch|delete)\(", re.M)


def service_digest(project: Project) -> str:
    lines = _from_service_model(project)
    if lines is None:
        lines = _from_files(project)
    if len(lines) > MAX_LINES:
        lines = [*lines[:MAX_LINES], f"... and {len(lines) - MAX_LINES} more"]
    return "\n".join(lines)


def _from_service_model(project: Project) -> list[str] | None:
    """Use reviewer.services when it exists; its shape is read defensively, any surprise falls back."""
    try:
        from reviewer import services  # type: ignore[attr-defined]
    except ImportError:
        return None
    build = getattr(services, "build_service_model", None)
    if build is None:
        return None
    try:
        model = build(project)
        found = getattr(model, "services", None)
        items = list(found.values() if isinstance(found, dict) else found or [])
        lines = [_describe(s) for s in items]
    except Exception:  # an optional digest must never stop the review; the file-kind digest is the fallback
        return None
    return [line for line in lines if line] or None


def _describe(service: Any) -> str:
    name = getattr(service, "name", None) or str(service)
    parts = [f"- {name}"]
    for attr in ("kind", "source", "root", "path", "image", "build_context"):
        value = getattr(service, attr, None)
        if isinstance(value, str | int) and value:
            parts.append(f"{attr}={value}")
    for attr in ("depends_on", "calls", "urls", "databases", "dsns", "topics"):
        value = getattr(service, attr, None)
        if value:
            values = list(value.keys() if isinstance(value, dict) else value)
            parts.append(f"{attr}=" + ",".join(str(v) for v in values[:6]))
    return " ".join(parts)


def _from_files(project: Project) -> list[str]:
    lines: list[str] = []
    for f in sorted(project.of_kind(FileKind.COMPOSE), key=lambda f: f.path):
        for doc in f.yaml_docs:
            services = doc.data.get("services") if isinstance(doc.data, dict) else None
            if isinstance(services, dict):
                lines.append(f"- compose {f.path}: services " + ", ".join(
                    f"{name}{_compose_detail(spec)}" for name, spec in services.items()))
    for f in sorted(project.of_kind(FileKind.K8S), key=lambda f: f.path):
        for doc in f.yaml_docs:
            data = doc.data if isinstance(doc.data, dict) else {}
            kind = data.get("kind")
            meta = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
            if kind in _WORKLOADS:
                lines.append(f"- kubernetes {kind}/{meta.get('name', '?')} ({f.path})")
    for f in sorted(project.of_kind(FileKind.PYTHON), key=lambda f: f.path):
        if "FastAPI(" in f.text:
            lines.append(f"- FastAPI app {f.path} ({len(_ROUTE.findall(f.text))} routes)")
    for f in sorted(project.of_kind(FileKind.DOCKERFILE), key=lambda f: f.path):
        base = next((i.args for i in f.dockerfile.instructions if i.keyword == "FROM"), "?")
        lines.append(f"- Dockerfile {f.path} (FROM {base})")
    return lines


def _compose_detail(spec: Any) -> str:
    if not isinstance(spec, dict):
        return ""
    if isinstance(spec.get("image"), str):
        return f" (image {spec['image']})"
    if spec.get("build") is not None:
        build = spec["build"]
        return f" (build {build if isinstance(build, str) else build.get('context', '.')})"
    return ""
