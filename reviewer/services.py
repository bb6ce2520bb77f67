"""The service model: which services a tree holds, and what each one touches.

Built once per run from the whole head tree (``project.memo("services", ...)``): compose services,
Kubernetes workloads and directories with their own ``FastAPI()`` app or Dockerfile, each with its
code root, env vars (with file and line), database endpoints, outbound URLs, routes, ORM tables and
Pydantic models. Cross-file rules and the Mermaid map read it; nothing here imports or runs code.
Every file is parsed at most once (``SourceFile`` caches its parse), so the build is linear.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from reviewer.classify import FileKind
from reviewer.project import Project, SourceFile
from reviewer.services_code import CodeIndex, FileFacts, RouteFacts
from reviewer.sources.yaml_docs import YList, YMap, get_path


def image_name(ref: str) -> str:
    from reviewer.rules.helpers import image_name as name  # lazy: importing reviewer.rules loads every rule

    return name(ref)


def is_datastore_image(ref: str) -> bool:
    from reviewer.rules.helpers import is_datastore_image as check

    return check(ref)


WORKLOAD_KINDS = {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Pod", "Job", "CronJob",
                  "ReplicationController"}
_BATCH_KINDS = {"Job", "CronJob"}
_DSN_VAR = re.compile(r"(?i)(DATABASE_UR[LI]|DB_UR[LI]|_DSN$|^DSN$|SQLALCHEMY_DATABASE_URI|MONGO(DB)?_UR[LI])")
_DB_HOST_VAR = re.compile(r"(?i)^(\w+_)?(DB|DATABASE|POSTGRES|PG|MYSQL|MARIADB|MONGO)_HOST(NAME)?$")
_DB_NAME_VAR = re.compile(r"(?i)^(\w+_)?(DB|DATABASE|POSTGRES|PG|MYSQL|MARIADB|MONGO)_(NAME|DB|DATABASE)$|^PGDATABASE$")
_DB_PORT_VAR = re.compile(r"(?i)^(\w+_)?(DB|DATABASE|POSTGRES|PG|MYSQL|MARIADB|MONGO)_PORT$")
# env URLs that point somewhere for the browser or for callbacks, not calls this service makes
_NOT_A_CALL_VAR = re.compile(r"(?i)FRONTEND|PUBLIC|EXTERNAL|ORIGIN|CORS|ALLOWED|REDIRECT|CALLBACK|WEBHOOK|"
                             r"SELF|ISSUER|JWKS|OTEL|OTLP|JAEGER|ZIPKIN|SENTRY|PROMETHEUS|LOKI|TEMPO")
_DEFAULT_PORTS = {"postgresql": 5432, "mysql": 3306, "mariadb": 3306, "mongodb": 27017, "mssql": 1433,
                  "oracle": 1521, "cockroachdb": 26257}
_SCHEMES = {"postgres": "postgresql", "postgresql": "postgresql", "pgsql": "postgresql", "mysql": "mysql",
            "mariadb": "mariadb", "mongodb": "mongodb", "mongodb+srv": "mongodb", "mssql": "mssql",
            "oracle": "oracle", "cockroachdb": "cockroachdb", "timescaledb": "postgresql"}
LOCAL_HOSTS = {"localhost", "127.0.0.1", "0.0.0.0", "::1", "host.docker.internal"}
_VAR_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)")
BROKER_IMAGES = ("kafka", "cp-kafka", "redpanda", "rabbitmq", "nats", "redis", "valkey", "keydb", "zookeeper")
_TEST_DIRS = {"tests", "test", "testing"}


@dataclass(frozen=True)
class EnvVar:
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


def canonical_host(host: str) -> str:
    """``orders.shop.svc.cluster.local`` and ``orders.shop.svc`` -> ``orders``."""
    host = host.strip().lower().rstrip(".")
    if ".svc" in host:
        return host.split(".", 1)[0]
    return host


def expand_vars(value: str, env: dict[str, str]) -> str:
    """Compose-style ``${VAR}``, ``${VAR:-default}``, ``$VAR`` from ``env``; unknown ones stay."""
    def sub(m: re.Match) -> str:
        name = m.group(1) or m.group(4)
        op, arg = m.group(2), m.group(3) or ""
        val = env.get(name)
        if op in (":-", "-"):
            if val is None or (op == ":-" and val == ""):
                return arg
            return val
        if op in (":+", "+"):
            return arg if val else ""
        return val if val is not None else m.group(0)
    return _VAR_REF.sub(sub, value)


def parse_dsn(url: str) -> tuple[str, str, int | None, str] | None:
    """(scheme, host, port, database) of a database DSN, or None (sqlite, templated, no host)."""
    url = url.strip()
    if url.startswith("jdbc:"):
        url = url[5:]
    if "://" not in url:
        return None
    scheme = url.split("://", 1)[0].lower().split("+", 1)[0]
    scheme = _SCHEMES.get(scheme, "")
    if not scheme:
        return None
    try:
        parts = urlsplit(url)
        host = parts.hostname
        port = parts.port
    except ValueError:
        return None
    database = parts.path.lstrip("/").split("/", 1)[0]
    if not host or "$" in url.split("@")[-1] or "{" in (host + database) or not database:
        return None
    if host in LOCAL_HOSTS:
        return None
    return scheme, canonical_host(host), port or _DEFAULT_PORTS.get(scheme), database


def parse_http_url(url: str) -> tuple[str, int | None, str] | None:
    """(host, port, path) of an http(s) URL with a concrete host, else None."""
    if not url.startswith(("http://", "https://")):
        return None
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError:
        return None
    if not host or "$" in host or "{" in host:
        return None
    return host, port, parts.path or "/"


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
class _ComposeService:
    name: str
    path: str
    line: int
    image: str | None
    context: str | None
    env: list[EnvVar]
    aliases: set[str]


def _compose_services(project: Project) -> Iterator[_ComposeService]:
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
                yield _ComposeService(str(name), f.path, services.line_of(name),
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


def _pod_spec(kind: str, data: YMap) -> YMap | None:
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


def _k8s_objects(project: Project) -> Iterator[tuple[SourceFile, YMap]]:
    for f in sorted(project.of_kind(FileKind.K8S), key=lambda x: x.path):
        for doc in f.yaml_docs:
            data = doc.data
            if isinstance(data, YMap) and isinstance(data.get("kind"), str):
                if data["kind"] == "List" and isinstance(data.get("items"), list):
                    yield from ((f, item) for item in data["items"] if isinstance(item, YMap))
                else:
                    yield f, data


def _workload_env(c: YMap, path: str, configmaps: dict[str, tuple[str, YMap]]) -> Iterator[EnvVar]:
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
        compose = list(_compose_services(self.project))
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
        for f, obj in _k8s_objects(self.project):
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
            spec = _pod_spec(kind, obj)
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
                svc.env.extend(_workload_env(c, f.path, configmaps))

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
            _endpoints(s, model)
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


def _endpoints(s: Service, model: ServiceModel) -> None:
    """Database endpoints and outbound URLs from env vars and code."""
    hosts, names, ports = {}, {}, {}
    for var in s.env:
        if var.value is None:
            continue
        if _DSN_VAR.search(var.name):
            dsn = parse_dsn(var.value)
            if dsn:
                s.databases.append(DbEndpoint(*dsn, var.name, var.path, var.line))
                continue
        if _DB_HOST_VAR.match(var.name):
            hosts[var.path] = var
        elif _DB_NAME_VAR.match(var.name):
            names[var.path] = var
        elif _DB_PORT_VAR.match(var.name):
            ports[var.path] = var
        url = parse_http_url(var.value)
        if url and not _NOT_A_CALL_VAR.search(var.name):
            s.urls.append(OutboundUrl(var.value, canonical_host(url[0]), url[1], url[2], var.path, var.line,
                                      "env", var.name))
    for path, name_var in names.items():
        host_var = hosts.get(path)
        if host_var is None or not host_var.value or "$" in host_var.value + (name_var.value or ""):
            continue
        if host_var.value in LOCAL_HOSTS or not name_var.value:
            continue
        port_var = ports.get(path)
        port = int(port_var.value) if port_var and (port_var.value or "").isdigit() else None
        datastore = model.datastore_hosts.get(canonical_host(host_var.value))
        scheme = "mysql" if datastore and "mysql" in datastore.image else "postgresql"
        s.databases.append(DbEndpoint(scheme, canonical_host(host_var.value), port or _DEFAULT_PORTS[scheme],
                                      name_var.value, name_var.name, name_var.path, name_var.line))
    for facts in s.facts(model):
        for lit in facts.dsn_literals:
            dsn = parse_dsn(lit.value)
            if dsn:
                s.databases.append(DbEndpoint(*dsn, "create_engine", facts.path, lit.line))
        for lit in facts.url_literals:
            url = parse_http_url(lit.value)
            if url:
                s.urls.append(OutboundUrl(lit.value, canonical_host(url[0]), url[1], url[2], facts.path, lit.line,
                                          "code"))


def build_service_model(project: Project, service_roots: Iterable[str] = ()) -> ServiceModel:
    """The service model of ``project``, built once per run and shared by every rule."""
    roots = tuple(service_roots)
    return project.memo(f"services:{','.join(roots)}", lambda: _Builder(project, roots).build())  # type: ignore[return-value]


def call_edges(model: ServiceModel) -> dict[tuple[str, str], list[tuple[str, int]]]:
    """(caller, callee) -> evidence lines, from env URLs and URL literals in code."""
    edges: dict[tuple[str, str], list[tuple[str, int]]] = {}
    for s in model.services:
        for url in s.urls:
            target = model.resolve_host(url.host)
            if target is None or target is s:
                continue
            edges.setdefault((s.name, target.name), []).append((url.path, url.line))
    return edges



def resolve_call(model: ServiceModel, caller: Service, template: str) -> tuple[Service, str] | None:
    """The service (other than ``caller``) and URL path an outbound call template reaches."""
    env = {}
    for var in caller.env:
        if var.value is not None:
            env.setdefault(var.name, var.value)
    url = parse_http_url(expand_vars(template, env))
    if url is None:
        return None
    target = model.resolve_host(url[0])
    if target is None or target is caller:
        return None
    return target, url[2].split("?", 1)[0]


def path_matches(route_path: str, url_path: str) -> bool:
    """``/items/{item_id}`` matches ``/items/{}`` and ``/items/42``."""
    a, b = route_path.rstrip("/").split("/"), url_path.rstrip("/").split("/")
    if len(a) != len(b):
        return bool(a) and a[-1].endswith(":path}") and len(b) >= len(a)
    return all(x == y or x[:1] == "{" or y[:1] == "{" for x, y in zip(a, b, strict=True))


class RouteIndex:
    """A service's routes bucketed by segment count and first segment, for call-path lookups."""

    def __init__(self, routes: Iterable[RouteFacts]) -> None:
        self._buckets: dict[tuple[int, str], list[RouteFacts]] = {}
        self._wild: list[RouteFacts] = []
        for r in routes:
            if r.path is None:
                continue
            parts = r.path.rstrip("/").split("/")
            first = parts[1] if len(parts) > 1 else ""
            if first[:1] == "{" or parts[-1].endswith(":path}"):
                self._wild.append(r)
            else:
                self._buckets.setdefault((len(parts), first), []).append(r)

    def matching(self, url_path: str) -> Iterator[RouteFacts]:
        parts = url_path.rstrip("/").split("/")
        first = parts[1] if len(parts) > 1 else ""
        if first[:1] == "{":
            candidates = [r for (n, _), rs in self._buckets.items() if n == len(parts) for r in rs]
        else:
            candidates = self._buckets.get((len(parts), first), [])
        for r in [*candidates, *self._wild]:
            if path_matches(r.path or "", url_path):
                yield r


def route_index(model: ServiceModel, svc: Service) -> RouteIndex:
    key = svc.name
    if key not in model.route_indexes:
        model.route_indexes[key] = RouteIndex(r for f in svc.facts(model) for r in f.routes)
    return model.route_indexes[key]


def call_cycles(edges: dict[tuple[str, str], list[tuple[str, int]]]) -> list[list[str]]:
    """One simple cycle per strongly connected component of the call graph."""
    graph: dict[str, list[str]] = {}
    for a, b in sorted(edges):
        graph.setdefault(a, []).append(b)
        graph.setdefault(b, [])
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    comps: list[list[str]] = []

    def strong(v: str) -> None:  # Tarjan; service graphs are small, recursion depth is fine
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                comps.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            strong(v)
    out = []
    for comp in comps:
        members, start = set(comp), comp[0]
        paths = {start: [start]}
        queue = [start]
        while queue:
            v = queue.pop(0)
            for w in graph[v]:
                if w == start:
                    out.append(paths[v])
                    queue = []
                    break
                if w in members and w not in paths:
                    paths[w] = paths[v] + [w]
                    queue.append(w)
    return out
