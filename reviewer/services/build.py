"""Build the service model from the sources' objects: compose services, Kubernetes workloads and
Services, directories with their own ``FastAPI()`` app or Dockerfile, and the code facts.

Built once per run from the whole head tree (``project.memo``); every file is parsed at most once
(``SourceFile`` caches its parse), so the build is linear. Nothing here imports or runs code.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable

from reviewer.classify import FileKind, is_test_path
from reviewer.project import Project
from reviewer.services.addresses import host_aliases
from reviewer.services.code import CodeIndex
from reviewer.services.deploy_env import build_root, compose_env, workload_env
from reviewer.services.endpoints import add_endpoints, expand_vars
from reviewer.services.layout import ancestors, app_roots
from reviewer.services.model import Datastore, Placement, Service, ServiceModel, canonical_host
from reviewer.services.proxies import proxy_kind, routed_by
from reviewer.sources.compose import ComposeFile, ComposeIndex, ComposeService, compose_index, parse_dotenv
from reviewer.sources.fastapi_routes import has_fastapi_app
from reviewer.sources.helm import is_templated
from reviewer.sources.images import image_name, is_datastore_image
from reviewer.sources.k8s_index import index_of
from reviewer.sources.k8s_objects import Container, as_list, manifest_docs
from reviewer.sources.k8s_objects import Workload as K8sWorkload
from reviewer.sources.yaml_docs import YMap, get_path

_BATCH_KINDS = {"Job", "CronJob"}


class _Builder:
    def __init__(self, project: Project, service_roots: Iterable[str]) -> None:
        self.project = project
        self.config_roots = [r.strip("/") for r in service_roots]
        self.services: list[Service] = []
        self.datastores: list[Datastore] = []
        self.by_root: dict[str, Service] = {}
        self.code = CodeIndex(project)
        # directories that hold code or a Dockerfile: a build context elsewhere is not in this tree
        self.code_dirs = ancestors(f.path for f in project.of_kind(FileKind.PYTHON, FileKind.DOCKERFILE))
        self.cluster_dns: dict[str, list[tuple[str | None, Service]]] = {}
        self.namespaces: set[str] = set()
        self.kustomize_ns: dict[str, str] = {}  # manifest path -> the namespace its kustomization sets

    def _service_for_root(self, root: str, name: str, origin: str, decl: tuple[str, int] | None) -> Service:
        svc = self.by_root.get(root)
        if svc is None:
            if any(s.name == name for s in self.services):  # ee/api beside api: named by its path
                name = root
            svc = Service(name=name, root=root, decl=decl)
            self.services.append(svc)
            self.by_root[root] = svc
        svc.origins.add(origin)
        return svc

    def build(self) -> ServiceModel:
        by_name: dict[str, Service] = {}
        dotenvs = {posixpath.dirname(f.path): parse_dotenv(f.lines) for f in self.project.of_kind(FileKind.ENV)
                   if posixpath.basename(f.path) == ".env"}
        items = [(cf, cs, dotenvs.get(cf.directory, {})) for cf in compose_index(self.project).files.values()
                 for cs in cf.services.values()]
        # services built from code in this tree first: a copy of a compose file (vendored, embedded)
        # whose build context is elsewhere then joins the service by name instead of splitting it
        items.sort(key=lambda i: (self._root_of(i[0], i[1], i[2]) is None, i[0].path))
        for cf, cs, dotenv in items:
            self._compose_service(cf, cs, dotenv, by_name)
        self._code_roots()
        self._k8s(by_name)
        return self._finish()

    def _compose_service(self, cf: ComposeFile, cs: ComposeService, dotenv: dict[str, str],
                         by_name: dict[str, Service]) -> None:
        image = expand_vars(str(cs.data["image"]), dotenv) if cs.data.get("image") else None
        root = self._root_of(cf, cs, dotenv)
        if image and is_datastore_image(image) and not root:
            self.datastores.append(Datastore(cs.name, image, cf.path, cs.line))
            return
        svc = by_name.get(cs.name)
        if svc is None and root is not None:
            svc = self.by_root.get(root)
        if svc is None and image:
            svc = next((s for s in self.services if image in s.images), None)
        if svc is None:
            svc = Service(name=cs.name, root=root, decl=(cf.path, cs.line),
                          third_party=not root and _public_image(image))
            self.services.append(svc)
            if root is not None:
                self.by_root[root] = svc
        elif root is not None and svc.root is None:
            svc.root = root
            self.by_root[root] = svc
        if root is not None:
            svc.third_party = False
        svc.origins.add("compose")
        svc.aliases.add(cs.name)
        svc.hosts |= {cs.name, *host_aliases(cs)}
        if image:
            svc.images.add(image)
        svc.env.extend(compose_env(cs, cf.path, dotenv))
        svc.depends_on |= {d.name for d in cs.depends_on}
        ref = ComposeIndex.dockerfile_of(cf, cs)
        if svc.dockerfile is None and ref is not None and self.project.get(ref.path) is not None:
            svc.dockerfile = ref.path
        svc.proxy = svc.proxy or proxy_kind(image)
        svc.routed_by |= routed_by(cs)
        by_name[cs.name] = svc

    def _root_of(self, cf: ComposeFile, cs: ComposeService, dotenv: dict[str, str]) -> str | None:
        """The compose service's build root, when it is a directory of this tree with code in it."""
        root = build_root(cs.data.get("build"), cf.directory, dotenv)
        return root if root is not None and root in self.code_dirs else None

    def _code_roots(self) -> None:
        for root in self.config_roots:
            self._service_for_root(root, posixpath.basename(root) or "app", "config", None)
        py_paths = {f.path for f in self.project.of_kind(FileKind.PYTHON)}
        py_dirs = ancestors(py_paths)
        for f in sorted(self.project.of_kind(FileKind.DOCKERFILE), key=lambda x: x.path):
            d = posixpath.dirname(f.path)
            if d in py_dirs and not is_test_path(f.path):
                self._service_for_root(d, posixpath.basename(d) or "app", "dockerfile", (f.path, 1))
        apps = [f.path for f in sorted(self.project.of_kind(FileKind.PYTHON), key=lambda x: x.path)
                if not is_test_path(f.path) and "FastAPI" in f.text and f.python is not None
                and has_fastapi_app(f.python) and self._root_above(f.path) is None]
        for root, app_file in app_roots(apps, py_paths).items():
            self._service_for_root(root, posixpath.basename(root) or "app", "fastapi", (app_file, 1))

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
        for f in self.project.of_kind(FileKind.K8S):
            for _, data, kind in manifest_docs(f):
                if kind == "ConfigMap" and isinstance(data.get("data"), YMap):
                    configmaps[str(get_path(data, "metadata", "name"))] = (f.path, data["data"])
                ns = get_path(data, "metadata", "name" if kind == "Namespace" else "namespace")
                if kind == "Kustomization":
                    ns = data.get("namespace")
                    self._kustomized(f.path, data, ns)
                if isinstance(ns, str) and not is_templated(ns):
                    self.namespaces.add(ns.lower())
        idx = index_of(self.project)
        self.k8s_service_map: dict[str, list[str]] = {}
        for wl in idx.workloads:
            if wl.file.kind is not FileKind.K8S or wl.name is None or wl.pod_spec is None:
                continue
            images = [str(c.data["image"]) for c in wl.containers if isinstance(c.data.get("image"), str)]
            line = wl.data.line_of("metadata")
            fronts = [s for s in idx.backing_services(wl) if s.name and s.file.kind is FileKind.K8S]
            selected_by = [s.name for s in fronts if s.name]
            if images and all(is_datastore_image(i) for i in images):
                self.datastores.append(Datastore(wl.name, images[0], wl.path, line))
                self.datastores.extend(Datastore(name, images[0], wl.path, line) for name in selected_by)
                continue
            svc = self._match_workload(wl, images, compose_by_name)
            if svc is None:
                if wl.kind in _BATCH_KINDS:
                    continue
                svc = Service(name=wl.name, decl=(wl.path, line))
                self.services.append(svc)
            svc.origins.add("k8s")
            placement = Placement(wl, _main_containers(wl.containers, svc, wl.name))
            svc.workloads.append(placement)
            svc.images.update(str(c.data["image"]) for c in placement.main if c.data.get("image"))
            svc.hosts.add(wl.name)
            for front in fronts:
                assert front.name is not None
                svc.hosts.add(front.name)
                svc.port_protocols.update(front.port_protocols())
                self.k8s_service_map.setdefault(front.name, []).append(wl.name)
                ns = self.kustomize_ns.get(front.file.path) or _explicit_namespace(front.data)  # kustomize overrides
                self.cluster_dns.setdefault(front.name.lower(), []).append((ns, svc))
            for c in placement.main:
                svc.env.extend(workload_env(c.data, wl.path, configmaps))

    def _kustomized(self, path: str, data: YMap, ns: object) -> None:
        """The namespace a kustomization sets on the manifests it lists beside it (an overlay that
        reaches into a shared base may set another one per overlay: those stay unknown)."""
        if not isinstance(ns, str) or is_templated(ns):
            return
        for res in as_list(data.get("resources")):
            if isinstance(res, str) and res.endswith((".yaml", ".yml")) and "/" not in res.strip("./"):
                self.kustomize_ns[posixpath.join(posixpath.dirname(path), res.strip("./"))] = ns.lower()

    def _match_workload(self, wl: K8sWorkload, images: list[str],
                        compose_by_name: dict[str, Service]) -> Service | None:
        assert wl.name is not None
        if wl.name in compose_by_name:
            return compose_by_name[wl.name]
        names = {image_name(i) for i in images}
        for svc in self.services:
            if svc.images & set(images) or {image_name(i) for i in svc.images} & names:
                return svc
        stems = {_stem(n) for n in names | {wl.name}}
        for svc in self.services:
            if svc.root is not None and _stem(posixpath.basename(svc.root) or svc.name) in stems:
                return svc
        return None

    def _finish(self) -> ServiceModel:
        model = ServiceModel(self.services, self.datastores, self.code, self.k8s_service_map,
                             cluster_dns=self.cluster_dns, namespaces=self.namespaces)
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
        done = False

        def load_endpoints() -> None:
            nonlocal done
            if not done:
                done = True
                for s in self.services:
                    s.load_endpoints = None
                    add_endpoints(s, model)

        for s in self.services:
            s.load_endpoints = load_endpoints
        return model


def _main_containers(cs: list[Container], svc: Service, workload_name: str) -> list[Container]:
    """Containers whose image is the service's own; sidecars (proxies, agents) are left out."""
    if len(cs) <= 1:
        return cs
    stems = {_stem(svc.name), _stem(workload_name), *(_stem(image_name(i)) for i in svc.images)}
    if svc.root:
        stems.add(_stem(posixpath.basename(svc.root)))
    main = [c for c in cs if isinstance(c.data.get("image"), str) and
            (c.data["image"] in svc.images or _stem(image_name(c.data["image"])) in stems)]
    return main or cs[:1]


def _explicit_namespace(data: YMap) -> str | None:
    """The namespace a manifest names; None when it leaves it to ``kubectl -n`` or kustomize."""
    ns = get_path(data, "metadata", "namespace")
    return ns.lower() if isinstance(ns, str) and not is_templated(ns) else None


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


def build_service_model(project: Project, service_roots: Iterable[str] = ()) -> ServiceModel:
    """The service model of ``project``, built once per run and shared by every rule."""
    roots = tuple(service_roots)
    return project.memo(f"services:{','.join(roots)}", lambda: _Builder(project, roots).build())  # type: ignore[return-value]
