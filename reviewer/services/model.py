"""The service model: which services a tree holds, and what each one touches.

Plain values built by ``services.build`` from the sources' compose and Kubernetes objects and
the Python code facts (``services.code``); cross-file rules, the Mermaid map and the model's
context read it. Nothing here parses a file.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from reviewer.sources.images import image_name

if TYPE_CHECKING:
    from reviewer.services.calls import RouteIndex
    from reviewer.services.code import CodeIndex, FileFacts
    from reviewer.sources.k8s_objects import Container
    from reviewer.sources.k8s_objects import Workload as K8sWorkload

LOCAL_HOSTS = {"localhost", "127.0.0.1", "0.0.0.0", "::1", "host.docker.internal"}


def canonical_host(host: str) -> str:
    """``orders.shop.svc.cluster.local`` and ``orders.shop.svc`` -> ``orders``."""
    host = host.strip().lower().rstrip(".")
    if ".svc" in host:
        return host.split(".", 1)[0]
    return host


@dataclass(frozen=True)
class EnvVar:
    """A setting a service runs with, its value expanded, where it is written (compose or ConfigMap)."""

    name: str
    value: str | None
    path: str
    line: int


@dataclass(frozen=True)
class DbEndpoint:
    scheme: str
    host: str
    port: int | None
    database: str
    var: str  # the env var, or "create_engine"
    path: str
    line: int

    @property
    def key(self) -> tuple[str, int | None, str]:
        return (self.host, self.port, self.database)

    @property
    def label(self) -> str:
        port = f":{self.port}" if self.port else ""
        return f"{self.host}{port}/{self.database}"


@dataclass(frozen=True)
class OutboundUrl:
    url: str
    host: str
    port: int | None
    url_path: str
    path: str
    line: int
    origin: str  # "env" or "code"
    var: str | None = None
    address: str = ""  # the host as written (``orders.shop.svc``): its namespace decides where it resolves


BROKER_IMAGES = ("kafka", "cp-kafka", "redpanda", "rabbitmq", "nats", "redis", "valkey", "keydb", "zookeeper")


@dataclass
class Placement:
    """A Kubernetes workload that runs the service, and which of its containers are the service's
    own (sidecars such as proxies and agents are left out)."""

    workload: K8sWorkload
    main: list[Container] = field(default_factory=list)

    @property
    def images(self) -> list[str]:
        return [c.image for c in self.workload.containers if c.image]


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
    found_databases: list[DbEndpoint] = field(default_factory=list)
    found_urls: list[OutboundUrl] = field(default_factory=list)
    workloads: list[Placement] = field(default_factory=list)
    files: list[str] = field(default_factory=list)  # Python files under the root (not nested roots)
    hosts: set[str] = field(default_factory=set)
    decl: tuple[str, int] | None = None  # where it is declared (compose key, k8s metadata, app file)
    third_party: bool = False  # an image we do not build (compose image-only service)
    depends_on: set[str] = field(default_factory=set)  # compose services it starts after
    dockerfile: str | None = None  # the Dockerfile compose builds it from (build.dockerfile), when in the tree
    proxy: str | None = None  # a reverse proxy that finds its backends itself (services/proxies.py)
    routed_by: set[str] = field(default_factory=set)  # the proxy kinds its labels/env opt into
    port_protocols: dict[int, str] = field(default_factory=dict)  # port -> gRPC/HTTP its k8s Services declare
    batch: bool = False  # only Jobs/CronJobs
    # reading every file's DSN and URL literals is the costly part of the model: done on first use
    load_endpoints: Callable[[], None] | None = field(default=None, repr=False, compare=False)

    @property
    def databases(self) -> list[DbEndpoint]:
        if self.load_endpoints is not None:
            self.load_endpoints()
        return self.found_databases

    @property
    def urls(self) -> list[OutboundUrl]:
        if self.load_endpoints is not None:
            self.load_endpoints()
        return self.found_urls

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
    settings: dict[str, dict[str, str]] = field(default_factory=dict)  # service -> ${VAR} values (calls.settings_of)
    # Kubernetes Service name -> (its namespace, None when the manifest leaves it to kubectl/kustomize;
    # the service behind the workload it selects); and every namespace the manifests name
    cluster_dns: dict[str, list[tuple[str | None, Service]]] = field(default_factory=dict)
    namespaces: set[str] = field(default_factory=set)
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
        """The service a host name reaches: a compose name or alias, or a Kubernetes Service in any
        of its DNS forms (``name``, ``name.ns``, ``name.ns.svc``, ``name.ns.svc.cluster.local``),
        which reaches the workload it selects only from its own namespace. ``orders.example.com``
        is someone else's host, and ``orders.billing.svc`` is not the ``orders`` of namespace ``shop``."""
        h = host.strip().lower().rstrip(".")
        parts = h.split(".")
        if len(parts) == 1:
            return self.by_host.get(h)
        if (len(parts) >= 3 and parts[2] == "svc") or (len(parts) == 2 and parts[1] in self.namespaces):
            name, ns = parts[0], parts[1]
        else:
            return self.by_host.get(h)  # a dotted compose hostname or alias, else an outside host
        entries = self.cluster_dns.get(name)
        if not entries:
            return self.by_host.get(name)
        return next((svc for e_ns, svc in entries if e_ns is None or e_ns == ns), None)

    def service_names(self) -> set[str]:
        """Every host name that reaches a container: compose services and k8s Services/workloads."""
        return set(self.by_host) | set(self.datastore_hosts)

    def named(self, name: str) -> Service | None:
        for s in self.services:
            if s.name == name:
                return s
        return None


