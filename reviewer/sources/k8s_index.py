"""The project-wide index of Kubernetes objects: workloads, Services, autoscalers, disruption
budgets, LimitRange defaults and Kustomize/Skaffold rewrites, built once per run (``index_of``)
so rules can ask "which Service fronts this Deployment" without re-reading every manifest."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field

from reviewer.classify import FileKind
from reviewer.project import Project, SourceFile
from reviewer.sources.helm import is_templated
from reviewer.sources.k8s_objects import (
    Service,
    Workload,
    as_list,
    as_map,
    gaps_of,
    label_selector_matches,
    manifest_docs,
    namespace_of,
    same_namespace,
    selector_matches,
    service_of,
    text,
    workload,
)
from reviewer.sources.yaml_docs import YMap, get_path


@dataclass
class Autoscaler:
    """An HPA (or a KEDA ScaledObject) and the workload it scales."""

    file: SourceFile
    data: YMap
    namespace: str | None
    target_kind: str | None
    target_name: str | None


@dataclass
class Budget:
    namespace: str | None
    selector: object  # the PDB's spec.selector


@dataclass
class K8sIndex:
    """Every Kubernetes object of the project that rules join across files, built once."""

    workloads: list[Workload] = field(default_factory=list)
    pod_sources: list[tuple[str, str | None, dict | None]] = field(default_factory=list)  # (path, ns, labels)
    services: list[Service] = field(default_factory=list)
    autoscalers: list[Autoscaler] = field(default_factory=list)
    budgets: list[Budget] = field(default_factory=list)
    limit_defaults: dict[str | None, set[str]] = field(default_factory=dict)  # ns -> {"limits.memory", ...}
    kustomize_replicas: dict[str, object] = field(default_factory=dict)
    rewritten_images: set[str] = field(default_factory=set)  # tags set at deploy time (kustomize, skaffold)
    by_path: dict[str, list[Workload]] = field(default_factory=dict, repr=False)
    _by_selector: tuple[dict[tuple[object, str], list[int]], list[int]] | None = field(default=None, repr=False)
    _services_by_path: dict[str, list[Service]] | None = field(default=None, repr=False)
    _pods_by_folder: dict[str, list[tuple[str | None, dict | None]]] | None = field(default=None, repr=False)
    _pods_by_label: dict[tuple[object, str], list[tuple[str | None, dict | None]]] | None = field(
        default=None, repr=False)
    _by_kind_name: dict[tuple[str, str | None], list[Workload]] | None = field(default=None, repr=False)
    _scalers: tuple[dict[str, list[Autoscaler]], list[Autoscaler]] | None = field(default=None, repr=False)
    _budgets: tuple[dict[tuple[object, str], list[Budget]], list[Budget]] | None = field(default=None, repr=False)

    def workloads_in(self, path: str) -> list[Workload]:
        return self.by_path.get(path, [])

    def services_in(self, path: str) -> list[Service]:
        if self._services_by_path is None:
            self._services_by_path = {}
            for s in self.services:
                self._services_by_path.setdefault(s.file.path, []).append(s)
        return self._services_by_path.get(path, [])

    def pod_sources_in(self, folder: str) -> list[tuple[str | None, dict | None]]:
        """(namespace, labels) of the pod templates in one directory."""
        if self._pods_by_folder is None:
            self._pods_by_folder = {}
            for path, ns, labels in self.pod_sources:
                self._pods_by_folder.setdefault(posixpath.dirname(path), []).append((ns, labels))
        return self._pods_by_folder.get(folder, [])

    def pod_sources_with(self, key: object, value: object) -> list[tuple[str | None, dict | None]]:
        """(namespace, labels) of the pod templates labelled ``key=value`` (a selector's candidates)."""
        if self._pods_by_label is None:
            self._pods_by_label = {}
            for _, ns, labels in self.pod_sources:
                for k, v in (labels or {}).items():
                    self._pods_by_label.setdefault((k, str(v)), []).append((ns, labels))
        return self._pods_by_label.get((key, str(value)), [])

    def backing_services(self, w: Workload) -> list[Service]:
        """Services whose selector certainly matches the workload's pods."""
        if not isinstance(w.labels, dict):
            return []
        by_label, select_all = self._selector_index()
        candidates = set(select_all)
        for key, value in w.labels.items():
            candidates.update(by_label.get((key, str(value)), ()))
        return [s for i, s in enumerate(self.services) if i in candidates and s.known
                and same_namespace(s.namespace, w.namespace) is not False
                and selector_matches(s.selector, w.labels) is True]

    def _selector_index(self) -> tuple[dict[tuple[object, str], list[int]], list[int]]:
        """Services by one (key, value) of their selector: a workload then checks only those that
        could match it, not every Service of the repository (quadratic in a large monorepo)."""
        if self._by_selector is None:
            by_label: dict[tuple[object, str], list[int]] = {}
            select_all: list[int] = []
            for i, s in enumerate(self.services):
                if isinstance(s.selector, dict) and s.selector:
                    key, value = next(iter(s.selector.items()))
                    by_label.setdefault((key, str(value)), []).append(i)
                elif isinstance(s.selector, dict):
                    select_all.append(i)
            self._by_selector = (by_label, select_all)
        return self._by_selector

    def named(self, kind: str, name: str | None) -> list[Workload]:
        """Workloads of one kind and name, in every file (kustomize patches of one Deployment)."""
        if self._by_kind_name is None:
            self._by_kind_name = {}
            for w in self.workloads:
                self._by_kind_name.setdefault((w.kind, w.name), []).append(w)
        return self._by_kind_name.get((kind, name), [])

    def autoscaled(self, w: Workload) -> bool | None:
        """True when an autoscaler targets the workload, None when one might (templated name)."""
        if self._scalers is None:
            by_name: dict[str, list[Autoscaler]] = {}
            unnamed: list[Autoscaler] = []
            for a in self.autoscalers:
                if a.target_name is None or is_templated(a.target_name):
                    unnamed.append(a)
                else:
                    by_name.setdefault(a.target_name, []).append(a)
            self._scalers = (by_name, unnamed)
        by_name, unnamed = self._scalers
        # only an autoscaler naming this workload, or one whose target is unknown, can change the answer
        known = w.name is not None and not is_templated(w.name)
        candidates = [*by_name.get(w.name, ()), *unnamed] if known else self.autoscalers  # type: ignore[arg-type]
        return _autoscaled(candidates, w)

    def has_budget(self, w: Workload) -> bool | None:
        """True when a PDB selects the pods, None when one might."""
        if self._budgets is None:
            self._budgets = _budget_index(self.budgets)
        by_label, always = self._budgets
        labels = w.labels
        candidates = self.budgets
        if isinstance(labels, dict):  # a budget indexed under a label the pods lack cannot select them
            candidates = [*always, *(b for k, v in labels.items() for b in by_label.get((k, str(v)), ()))]
        result: bool | None = False
        for b in candidates:
            if same_namespace(b.namespace, w.namespace) is False:
                continue
            match = label_selector_matches(b.selector, labels)
            if match is True:
                return True
            if match is None:
                result = None
        return result


def _autoscaled(candidates: list[Autoscaler], w: Workload) -> bool | None:
    result: bool | None = False
    for a in candidates:
        if same_namespace(a.namespace, w.namespace) is False:
            continue
        if a.target_kind not in (None, w.kind) and not is_templated(a.target_kind):
            continue
        if a.target_name is None or w.name is None:
            result = None
        elif a.target_name == w.name:
            return True
        elif is_templated(a.target_name) or is_templated(w.name):
            result = None
    return result


def _budget_index(budgets: list[Budget]) -> tuple[dict[tuple[object, str], list[Budget]], list[Budget]]:
    """PDBs by one plain ``matchLabels`` pair; the rest (expressions only, templated, odd) are always checked."""
    by_label: dict[tuple[object, str], list[Budget]] = {}
    always: list[Budget] = []
    for b in budgets:
        match_labels = b.selector.get("matchLabels") if isinstance(b.selector, dict) else None
        first = next(iter(match_labels.items()), None) if isinstance(match_labels, dict) else None
        if first is None or any(is_templated(k) or is_templated(v) for k, v in match_labels.items()):
            always.append(b)
        else:
            by_label.setdefault((first[0], str(first[1])), []).append(b)
    return by_label, always


def _pod_labels_generic(data: YMap) -> dict | None:
    labels = get_path(data, "spec", "template", "metadata", "labels")
    if not isinstance(labels, dict) or any(is_templated(k) or is_templated(v) for k, v in labels.items()):
        return None
    return dict(labels)


def build_index(project: Project) -> K8sIndex:
    idx = K8sIndex()
    for f in project.of_kind(FileKind.K8S, FileKind.HELM):
        gaps = gaps_of(f)
        for doc, data, kind in manifest_docs(f):
            ns = namespace_of(data)
            w = workload(f, doc, data, kind, gaps)
            if w is not None and "test" in str(get_path(data, "metadata", "annotations", "helm.sh/hook", default="")):
                continue  # `helm test` pods run once by hand; they are not part of the deployment
            if w is not None:
                idx.workloads.append(w)
                idx.by_path.setdefault(f.path, []).append(w)
                idx.pod_sources.append((f.path, w.namespace, w.labels))
            elif isinstance(get_path(data, "spec", "template"), dict):  # Rollouts and other pod owners
                idx.pod_sources.append((f.path, ns, _pod_labels_generic(data)))
            if kind == "Service":
                idx.services.append(service_of(f, data))
            elif kind in ("HorizontalPodAutoscaler", "ScaledObject"):
                ref = as_map(get_path(data, "spec", "scaleTargetRef")) or YMap()
                target_kind = ref.get("kind", "Deployment")
                idx.autoscalers.append(Autoscaler(f, data, ns, text(target_kind), text(ref.get("name"))))
            elif kind == "PodDisruptionBudget":
                idx.budgets.append(Budget(ns, get_path(data, "spec", "selector")))
            elif kind == "LimitRange":
                idx.limit_defaults.setdefault(ns, set()).update(_limit_defaults(data))
            elif kind == "Kustomization":
                for item in as_list(data.get("replicas")):
                    if isinstance(item, dict) and isinstance(item.get("name"), str):
                        idx.kustomize_replicas[item["name"]] = item.get("count")
                for item in as_list(data.get("images")):
                    if isinstance(item, dict) and isinstance(item.get("name"), str):
                        idx.rewritten_images.add(item["name"])
            elif kind == "Config" and str(data.get("apiVersion", "")).startswith("skaffold/"):
                builds = [data.get("build"), *(as_map(p).get("build") for p in as_list(data.get("profiles"))
                                               if as_map(p) is not None)]
                for item in (i for b in builds if isinstance(b, dict) for i in as_list(b.get("artifacts"))):
                    if isinstance(item, dict) and isinstance(item.get("image"), str):
                        idx.rewritten_images.add(item["image"])
    return idx


def _limit_defaults(data: YMap) -> set[str]:
    found = set()
    for limit in as_list(get_path(data, "spec", "limits")):
        if not isinstance(limit, dict) or limit.get("type", "Container") != "Container":
            continue
        for section, name in (("default", "limits"), ("defaultRequest", "requests")):
            values = limit.get(section)
            if isinstance(values, dict):
                found |= {f"{name}.{resource}" for resource in values}
    return found


def index_of(project: Project) -> K8sIndex:
    return project.memo("k8s-index", lambda: build_index(project))  # type: ignore[return-value]


def pod_sources_near(idx: K8sIndex, s: Service) -> list[tuple[str | None, dict | None]]:
    """(namespace, labels) of the pod templates in the Service's directory: the app it fronts."""
    return idx.pod_sources_in(posixpath.dirname(s.file.path))
