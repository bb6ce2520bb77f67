"""Where services are declared: compose services (with ``.env`` expansion and build roots) and
Kubernetes objects (pod specs, containers, env from ConfigMaps), read for the service model."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from dataclasses import dataclass

from reviewer.classify import FileKind
from reviewer.project import Project, SourceFile
from reviewer.services_endpoints import expand_vars
from reviewer.sources.yaml_docs import YList, YMap, get_path


@dataclass(frozen=True)
class EnvVar:
    name: str
    value: str | None
    path: str
    line: int


def _norm(path: str) -> str | None:
    """A repository-relative posix path, or None when it leaves the repository."""
    p = posixpath.normpath(path)
    if p == ".":
        return ""
    if p.startswith("..") or p.startswith("/"):
        return None
    return p


def _dotenv(f: SourceFile) -> dict[str, str]:
    out: dict[str, str] = {}
    for raw in f.lines:
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.removeprefix("export ").partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        elif " #" in value:
            value = value.split(" #", 1)[0].rstrip()
        out[key.strip()] = value
    return out


def _env_items(env: object, path: str, dotenv: dict[str, str]) -> Iterator[EnvVar]:
    """Compose ``environment:`` in map or ``K=V`` list form, values expanded from ``.env``."""
    if isinstance(env, YMap):
        for key, value in env.items():
            text = None if value is None else expand_vars(str(value), dotenv)
            yield EnvVar(str(key), text, path, env.line_of(key))
    elif isinstance(env, YList):
        for i, item in enumerate(env):
            if isinstance(item, str):
                key, sep, value = item.partition("=")
                yield EnvVar(key.strip(), expand_vars(value, dotenv) if sep else None, path, env.line_at(i))


@dataclass
class ComposeService:
    name: str
    path: str
    line: int
    image: str | None
    context: str | None
    env: list[EnvVar]
    aliases: set[str]


def compose_services(project: Project) -> Iterator[ComposeService]:
    dotenvs = {posixpath.dirname(f.path): _dotenv(f) for f in project.of_kind(FileKind.ENV)
               if posixpath.basename(f.path) == ".env"}
    for f in sorted(project.of_kind(FileKind.COMPOSE), key=lambda x: x.path):
        base = posixpath.dirname(f.path)
        dotenv = dotenvs.get(base, {})
        for doc in f.yaml_docs:
            services = get_path(doc.data, "services")
            if not isinstance(services, YMap):
                continue
            for name, spec in services.items():
                if not isinstance(spec, YMap):
                    continue
                root = _build_root(spec.get("build"), base, dotenv)
                image = spec.get("image")
                aliases = {str(spec[k]) for k in ("hostname", "container_name") if isinstance(spec.get(k), str)}
                for net in (spec.get("networks") or {}).values() if isinstance(spec.get("networks"), dict) else ():
                    if isinstance(net, dict) and isinstance(net.get("aliases"), list):
                        aliases.update(str(a) for a in net["aliases"])
                yield ComposeService(str(name), f.path, services.line_of(name),
                                      expand_vars(str(image), dotenv) if image else None, root,
                                      list(_env_items(spec.get("environment"), f.path, dotenv)), aliases)


def _build_root(build: object, base: str, dotenv: dict[str, str]) -> str | None:
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


def pod_spec(kind: str, data: YMap) -> YMap | None:
    if kind == "Pod":
        spec = data.get("spec")
    elif kind == "CronJob":
        spec = get_path(data, "spec", "jobTemplate", "spec", "template", "spec")
    else:
        spec = get_path(data, "spec", "template", "spec")
    return spec if isinstance(spec, YMap) else None


def containers(spec: YMap) -> Iterator[YMap]:
    """The long-running containers of a pod spec (init containers do not serve or get probed)."""
    items = spec.get("containers")
    if isinstance(items, list):
        yield from (c for c in items if isinstance(c, YMap))


def k8s_manifest_objects(project: Project) -> Iterator[tuple[SourceFile, YMap]]:
    for f in sorted(project.of_kind(FileKind.K8S), key=lambda x: x.path):
        for doc in f.yaml_docs:
            data = doc.data
            if isinstance(data, YMap) and isinstance(data.get("kind"), str):
                if data["kind"] == "List" and isinstance(data.get("items"), list):
                    yield from ((f, item) for item in data["items"] if isinstance(item, YMap))
                else:
                    yield f, data


def workload_env(c: YMap, path: str, configmaps: dict[str, tuple[str, YMap]]) -> Iterator[EnvVar]:
    for item in c.get("env") or []:
        if not isinstance(item, YMap) or not isinstance(item.get("name"), str):
            continue
        if "value" in item:
            value = item.get("value")
            yield EnvVar(item["name"], None if value is None else str(value), path, item.value_line("value"))
        ref = get_path(item, "valueFrom", "configMapKeyRef")
        if isinstance(ref, dict) and ref.get("name") in configmaps:
            cm_path, data = configmaps[ref["name"]]
            key = ref.get("key")
            if key in data:
                yield EnvVar(item["name"], str(data[key]), cm_path, data.line_of(key))
    for src in c.get("envFrom") or []:
        name = get_path(src, "configMapRef", "name")
        if name in configmaps:
            cm_path, data = configmaps[name]
            prefix = str(src.get("prefix") or "")
            for key, value in data.items():
                yield EnvVar(prefix + str(key), None if value is None else str(value), cm_path, data.line_of(key))
