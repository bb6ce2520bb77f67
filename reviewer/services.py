"""The service model: which services a tree holds, and what each one touches.

Built once per run from the whole head tree (``project.memo("services", ...)``): compose services,
Kubernetes workloads and directories with their own ``FastAPI()`` app or Dockerfile, each with its
code root, env vars (with file and line), database endpoints, outbound URLs, routes, ORM tables and
Pydantic models. Cross-file rules and the Mermaid map read it; nothing here imports or runs code.
Every file is parsed at most once (``SourceFile`` caches its parse), so the build is linear.
Declarations are read in services_discovery, endpoints parsed in services_endpoints, the call
graph lives in services_calls; their public names are re-exported here.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from reviewer.classify import FileKind
from reviewer.project import Project, SourceFile
from reviewer.services_calls import RouteIndex, call_cycles, call_edges, path_matches, resolve_call, route_index
from reviewer.services_code import CodeIndex, FileFacts
from reviewer.services_discovery import (
    EnvVar,
    compose_services,
    containers,
    k8s_manifest_objects,
    pod_spec,
    workload_env,
)
from reviewer.services_endpoints import (
    LOCAL_HOSTS,
    DbEndpoint,
    OutboundUrl,
    add_endpoints,
    canonical_host,
    expand_vars,
    parse_dsn,
    parse_http_url,
)
from reviewer.sources.images import image_name, is_datastore_image
from reviewer.sources.yaml_docs import YMap, get_path

__all__ = [
    "BROKER_IMAGES", "LOCAL_HOSTS", "WORKLOAD_KINDS", "Datastore", "DbEndpoint", "EnvVar", "OutboundUrl",
    "RouteIndex", "Service", "ServiceModel", "Workload", "build_service_model", "call_cycles", "call_edges",
    "canonical_host", "containers", "expand_vars", "image_name", "is_datastore_image", "is_test_path",
    "parse_dsn", "parse_http_url", "path_matches", "resolve_call", "route_index",
]


WORKLOAD_KINDS = {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Pod", "Job", "CronJob",
                  "ReplicationController"}
_BATCH_KINDS = {"Job", "CronJob"}
BROKER_IMAGES = ("kafka", "cp-kafka", "redpanda", "rabbitmq", "nats", "redis", "valkey", "keydb", "zookeeper")
_TEST_DIRS = {"tests", "test", "testing"}


@dataclass
class Workload:
    kind: str
    name: str
    namespace: str
    path: str
    line: int
    spec: YMap  # the pod spec
    labels: dict
    images: list[str]
    main: list[YMap] = field(default_factory=list)  # the containers that run the service (not sidecars)


@dataclass
class Datastore:
    """A database, broker or cache container (by image), the thing services connect to."""

    name: str
    image: str
    path: str
    line: int

    @property
    def is_broker(self) -> bool:
        name = image_name(self.image)
        return any(name == b or name.startswith(b + "-") for b in BROKER_IMAGES)


@dataclass
class Service:
    name: str
    root: str | None = None
    origins: set[str] = field(default_factory=set)  # compose, k8s, fastapi, dockerfile, config
    images: set[str] = field(default_factory=set)
    aliases: set[str] = field(default_factory=set)  # other compose/k8s names merged into this one
    env: list[EnvVar] = field(default_factory=list)
    databases: list[DbEndpoint] = field(default_factory=list)
    urls: list[OutboundUrl] = field(default_factory=list)
    workloads: list[Workload] = field(default_factory=list)
    files: list[str] = field(default_factory=list)  # Python files under the root (not nested roots)
    hosts: set[str] = field(default_factory=set)
    decl: tuple[str, int] | None = None  # where it is declared (compose key, k8s metadata, app file)
    third_party: bool = False  # an image we do not build (compose image-only service)
    batch: bool = False  # only Jobs/CronJobs

    def facts(self, model: ServiceModel) -> Iterator[FileFacts]:
        for path in self.files:
            facts = model.code.get(path)
            if facts is not None:
                yield facts


@dataclass
class ServiceModel:
    services: list[Service]
    datastores: list[Datastore]
    code: CodeIndex
    k8s_services: dict[str, list[str]] = field(default_factory=dict)  # k8s Service name -> workload names
    by_host: dict[str, Service] = field(default_factory=dict)
    datastore_hosts: dict[str, Datastore] = field(default_factory=dict)
    route_indexes: dict[str, RouteIndex] = field(default_factory=dict)
    _roots: dict[str, Service] = field(default_factory=dict)

    def owner_of(self, path: str) -> Service | None:
        """The service whose root is the longest prefix of ``path``."""
        d = posixpath.dirname(path)
        while True:
            svc = self._roots.get(d)
            if svc is not None:
                return svc
            if not d:
                return None
            d = posixpath.dirname(d)

    def resolve_host(self, host: str) -> Service | None:
        return self.by_host.get(canonical_host(host))

    def service_names(self) -> set[str]:
        """Every host name that reaches a container: compose services and k8s Services/workloads."""
        return set(self.by_host) | set(self.datastore_hosts)

    def named(self, name: str) -> Service | None:
        for s in self.services:
            if s.name == name:
                return s
        return None


class _Builder:
    def __init__(self, project: Project, service_roots: Iterable[str]) -> None:
        self.project = project
        self.config_roots = [r.strip("/") for r in service_roots]
        self.services: list[Service] = []
        self.datastores: list[Datastore] = []
        self.by_root: dict[str, Service] = {}
        self.code = CodeIndex(project)

    def _service_for_root(self, root: str, name: str, origin: str, decl: tuple[str, int] | None) -> Service:
        svc = self.by_root.get(root)
        if svc is None:
            svc = Service(name=name, root=root, decl=decl)
            self.services.append(svc)
            self.by_root[root] = svc
        svc.origins.add(origin)
        return svc

    def build(self) -> ServiceModel:
        compose = list(compose_services(self.project))
        by_name: dict[str, Service] = {}
        for cs in compose:
            if cs.image and is_datastore_image(cs.image) and not cs.context:
                self.datastores.append(Datastore(cs.name, cs.image, cs.path, cs.line))
                continue
            svc = by_name.get(cs.name)
            if svc is None and cs.context is not None:
                svc = self.by_root.get(cs.context)
            if svc is None and cs.image:
                svc = next((s for s in self.services if cs.image in s.images), None)
            if svc is None:
                svc = Service(name=cs.name, root=cs.context, decl=(cs.path, cs.line),
                              third_party=not cs.context and _public_image(cs.image))
                self.services.append(svc)
                if cs.context is not None:
                    self.by_root[cs.context] = svc
            elif cs.context is not None and svc.root is None:
                svc.root = cs.context
                self.by_root[cs.context] = svc
            if cs.context is not None:
                svc.third_party = False
            svc.origins.add("compose")
            svc.aliases.add(cs.name)
            svc.hosts |= {cs.name, *cs.aliases}
            if cs.image:
                svc.images.add(cs.image)
            svc.env.extend(cs.env)
            by_name[cs.name] = svc
        self._code_roots()
        self._k8s(by_name)
        return self._finish()

    def _code_roots(self) -> None:
        for root in self.config_roots:
            self._service_for_root(root, posixpath.basename(root) or "app", "config", None)
        py_paths = {f.path for f in self.project.of_kind(FileKind.PYTHON)}
        py_dirs: set[str] = set()
        for p in py_paths:
            d = posixpath.dirname(p)
            while d not in py_dirs:
                py_dirs.add(d)
                if not d:
                    break
                d = posixpath.dirname(d)
        for f in sorted(self.project.of_kind(FileKind.DOCKERFILE), key=lambda x: x.path):
            d = posixpath.dirname(f.path)
            if d in py_dirs and not is_test_path(f.path):
                self._service_for_root(d, posixpath.basename(d) or "app", "dockerfile", (f.path, 1))
        apps: dict[str, list[SourceFile]] = {}
        for f in sorted(self.project.of_kind(FileKind.PYTHON), key=lambda x: x.path):
            if is_test_path(f.path) or f.python is None or not f.python.has_fastapi_app:
                continue
            if self._root_above(f.path) is not None:
                continue
            apps.setdefault(_package_root(f.path, py_paths), []).append(f)
        for root, files in apps.items():
            firsts = {f.path[len(root):].lstrip("/").split("/", 1)[0] for f in files}
            if len(files) > 1 and len(firsts) > 1:  # several apps share a package root: one service each
                for f in files:
                    sub = posixpath.join(root, f.path[len(root):].lstrip("/").split("/", 1)[0]) if root else \
                        f.path.split("/", 1)[0]
                    sub = posixpath.dirname(f.path) if sub == f.path else sub
                    self._service_for_root(sub, posixpath.basename(sub) or "app", "fastapi", (f.path, 1))
            else:
                self._service_for_root(root, posixpath.basename(root) or "app", "fastapi", (files[0].path, 1))

    def _root_above(self, path: str) -> str | None:
        d = posixpath.dirname(path)
        while True:
            if d in self.by_root:
                return d
            if not d:
                return None
            d = posixpath.dirname(d)

    def _k8s(self, compose_by_name: dict[str, Service]) -> None:
        configmaps: dict[str, tuple[str, YMap]] = {}
        workloads: list[tuple[SourceFile, YMap]] = []
        k8s_services: list[tuple[str, dict]] = []
        for f, obj in k8s_manifest_objects(self.project):
            kind = obj["kind"]
            if kind == "ConfigMap" and isinstance(obj.get("data"), YMap):
                configmaps[str(get_path(obj, "metadata", "name"))] = (f.path, obj["data"])
            elif kind in WORKLOAD_KINDS:
                workloads.append((f, obj))
            elif kind == "Service" and isinstance(get_path(obj, "metadata", "name"), str):
                selector = get_path(obj, "spec", "selector")
                k8s_services.append((obj["metadata"]["name"], selector if isinstance(selector, dict) else {}))
        self.k8s_service_map: dict[str, list[str]] = {}
        for f, obj in workloads:
            kind, name = obj["kind"], get_path(obj, "metadata", "name")
            spec = pod_spec(kind, obj)
            if not isinstance(name, str) or spec is None:
                continue
            labels = get_path(obj, "spec", "template", "metadata", "labels") if kind != "Pod" else \
                get_path(obj, "metadata", "labels")
            labels = labels if isinstance(labels, dict) else {}
            cs = list(containers(spec))
            images = [str(c["image"]) for c in cs if isinstance(c.get("image"), str)]
            wl = Workload(kind, name, str(get_path(obj, "metadata", "namespace") or "default"), f.path,
                          obj.line_of("metadata"), spec, labels, images)
            if images and all(is_datastore_image(i) for i in images):
                self.datastores.append(Datastore(name, images[0], f.path, wl.line))
                for sname, selector in k8s_services:
                    if selector and all(labels.get(k) == v for k, v in selector.items()):
                        self.datastores.append(Datastore(sname, images[0], f.path, wl.line))
                continue
            svc = self._match_workload(wl, compose_by_name)
            if svc is None:
                if kind in _BATCH_KINDS:
                    continue
                svc = Service(name=name, decl=(f.path, wl.line))
                self.services.append(svc)
            svc.origins.add("k8s")
            svc.workloads.append(wl)
            wl.main = _main_containers(cs, svc, wl)
            svc.images.update(str(c.get("image")) for c in wl.main if c.get("image"))
            svc.hosts.add(name)
            for sname, selector in k8s_services:
                if selector and all(labels.get(k) == v for k, v in selector.items()):
                    svc.hosts.add(sname)
                    self.k8s_service_map.setdefault(sname, []).append(name)
            for c in wl.main:
                svc.env.extend(workload_env(c, f.path, configmaps))

    def _match_workload(self, wl: Workload, compose_by_name: dict[str, Service]) -> Service | None:
        if wl.name in compose_by_name:
            return compose_by_name[wl.name]
        names = {image_name(i) for i in wl.images}
        for svc in self.services:
            if svc.images & set(wl.images) or {image_name(i) for i in svc.images} & names:
                return svc
        stems = {_stem(n) for n in names | {wl.name}}
        for svc in self.services:
            if svc.root is not None and _stem(posixpath.basename(svc.root) or svc.name) in stems:
                return svc
        return None

    def _finish(self) -> ServiceModel:
        model = ServiceModel(self.services, self.datastores, self.code, getattr(self, "k8s_service_map", {}))
        model._roots = {s.root: s for s in self.services if s.root is not None}
        for f in self.project.of_kind(FileKind.PYTHON):
            owner = model.owner_of(f.path)
            if owner is not None and not is_test_path(f.path[len(owner.root or ""):]):
                owner.files.append(f.path)
        for d in self.datastores:
            model.datastore_hosts[canonical_host(d.name)] = d
        for s in self.services:
            for h in s.hosts:
                model.by_host.setdefault(canonical_host(h), s)
        for s in self.services:
            add_endpoints(s, model)
        return model


def _main_containers(cs: list[YMap], svc: Service, wl: Workload) -> list[YMap]:
    """Containers whose image is the service's own; sidecars (proxies, agents) are left out."""
    if len(cs) <= 1:
        return cs
    stems = {_stem(svc.name), _stem(wl.name), *(_stem(image_name(i)) for i in svc.images)}
    if svc.root:
        stems.add(_stem(posixpath.basename(svc.root)))
    main = [c for c in cs if isinstance(c.get("image"), str) and
            (c["image"] in svc.images or _stem(image_name(c["image"])) in stems)]
    return main or cs[:1]


def _public_image(image: str | None) -> bool:
    """An image from Docker Hub (``adminer``, ``hasura/graphql-engine``): someone else's software.
    Images from a registry host (``ghcr.io/acme/reporting``) or templated ones are taken as ours."""
    if not image or "$" in image:
        return False
    first = image.split("/", 1)[0]
    return "/" not in image or not ("." in first or ":" in first or first == "localhost")


def _stem(name: str) -> str:
    name = name.lower()
    for suffix in ("-service", "_service", "-svc", "-api", "_api", "-app"):
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def is_test_path(path: str) -> bool:
    parts = path.split("/")
    return bool(_TEST_DIRS & set(parts[:-1])) or parts[-1].startswith("test_") or parts[-1] == "conftest.py"


def _package_root(path: str, py_paths: set[str]) -> str:
    """The directory above the topmost package holding ``path`` (a service's working directory)."""
    d = posixpath.dirname(path)
    while d and posixpath.join(d, "__init__.py") in py_paths:
        d = posixpath.dirname(d)
    return d


def build_service_model(project: Project, service_roots: Iterable[str] = ()) -> ServiceModel:
    """The service model of ``project``, built once per run and shared by every rule."""
    roots = tuple(service_roots)
    return project.memo(f"services:{','.join(roots)}", lambda: _Builder(project, roots).build())  # type: ignore[return-value]
