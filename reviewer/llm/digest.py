"""A compact map of the repository's services for the model: names, not contents."""

from __future__ import annotations

import re
from typing import Any

from reviewer.classify import FileKind
from reviewer.project import Project

MAX_LINES = 60
_WORKLOADS = {"Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "Service", "Ingress"}
_ROUTE = re.compile(r"^\s*@\w+\.(get|post|put|patch|delete)\(", re.M)


def service_digest(project: Project, service_roots: tuple[str, ...] = ()) -> str:
    lines = _from_service_model(project, service_roots)
    if lines is None:
        lines = _from_files(project)
    if len(lines) > MAX_LINES:
        lines = [*lines[:MAX_LINES], f"... and {len(lines) - MAX_LINES} more"]
    return "\n".join(lines)


def _from_service_model(project: Project, service_roots: tuple[str, ...]) -> list[str] | None:
    """reviewer.services' model (built once per run, shared with the rules); its shape is read with
    getattr so that a change there degrades the digest to the file-kind one instead of failing."""
    try:
        from reviewer.services.build import build_service_model
    except ImportError:
        return None
    try:
        model = build_service_model(project, service_roots)
        lines = [_describe(s) for s in getattr(model, "services", [])]
        lines += [f"- datastore {getattr(d, 'name', '?')} (image {getattr(d, 'image', '?')})"
                  for d in getattr(model, "datastores", [])]
    except Exception:  # an optional digest must never stop the review; the file-kind digest is the fallback
        return None
    return lines or None


def _describe(service: Any) -> str:
    parts = [f"- {getattr(service, 'name', service)}"]
    facts = []
    if getattr(service, "root", None):
        facts.append(f"root {service.root}")
    if getattr(service, "origins", None):
        facts.append("from " + "/".join(sorted(service.origins)))
    if getattr(service, "images", None):
        facts.append("image " + sorted(service.images)[0])
    if getattr(service, "third_party", False):
        facts.append("third-party image")
    if facts:
        parts.append(f"({'; '.join(facts)})")
    dbs = sorted({f"{getattr(d, 'scheme', '')}://{getattr(d, 'host', '')}/{getattr(d, 'database', '')}"
                  for d in getattr(service, "databases", [])})
    if dbs:
        parts.append("db " + ", ".join(dbs[:4]))
    calls = sorted({getattr(u, "host", "") for u in getattr(service, "urls", [])} - {""})
    if calls:
        parts.append("calls " + ", ".join(calls[:8]))
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
