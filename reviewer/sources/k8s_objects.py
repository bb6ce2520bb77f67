"""A small typed view over Kubernetes documents: workloads, containers, Services, HPAs, PDBs.

Everything here tolerates half-written or templated manifests: a value that is not the expected
type is treated as absent, and in Helm templates a templated value or a blanked block is
*unknown* (``Gaps``), so rules can stay quiet instead of guessing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from reviewer.classify import FileKind
from reviewer.project import SourceFile
from reviewer.sources.helm import HelmTemplate, is_templated
from reviewer.sources.yaml_docs import YamlDoc, YList, YMap, get_path

DEFAULT_NAMESPACE = "default"
# where the pod template sits in each workload kind; () means the document is the pod
POD_TEMPLATE = {
    "Deployment": ("spec", "template"), "StatefulSet": ("spec", "template"), "DaemonSet": ("spec", "template"),
    "ReplicaSet": ("spec", "template"), "Job": ("spec", "template"),
    "CronJob": ("spec", "jobTemplate", "spec", "template"), "Pod": (),
}
JOB_KINDS = {"Job", "CronJob"}
PROBES = ("livenessProbe", "readinessProbe", "startupProbe")


@dataclass(frozen=True)
class Gaps:
    """What a Helm template hides. For plain manifests nothing is hidden."""

    template: HelmTemplate | None = None
    lines: tuple[str, ...] = ()

    def unknown(self, value: object) -> bool:
        """A templated value, or (in a template) a key whose block was template output."""
        return is_templated(value) or (self.template is not None and value is None)

    def hides(self, m: object, key: str) -> bool:
        """Is ``m[key]`` unknown: templated, or absent where template output could have put it?"""
        if not isinstance(m, dict):
            return self.unknown(m)
        return self.unknown(m[key]) if key in m else self.may_hide_keys(m)

    def may_hide_keys(self, m: object) -> bool:
        """Could template output add keys to mapping ``m`` that we cannot see?"""
        if self.template is None or not isinstance(m, YMap):
            return False
        text = self.lines[m.line - 1] if 0 < m.line <= len(self.lines) else ""
        column = len(text) - len(text.lstrip(" -"))
        return self.template.may_add_keys(m.line, m.end_line, column)


def as_map(value: object) -> YMap | None:
    return value if isinstance(value, YMap) else None


def as_list(value: object) -> list:
    """A list value; anything else (absent, or a scalar where a list belongs) as an empty one."""
    return value if isinstance(value, list) else []


def text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


@dataclass
class Container:
    data: YMap
    line: int  # the list item line (``- name: api``): where a missing key is added
    init: bool = False

    @property
    def name(self) -> str:
        return str(self.data.get("name", "?"))

    @property
    def sidecar(self) -> bool:
        """An init container with ``restartPolicy: Always`` runs for the pod's whole life."""
        return self.init and self.data.get("restartPolicy") == "Always"

    @property
    def long_running(self) -> bool:
        return not self.init or self.sidecar

    @property
    def is_patch(self) -> bool:
        """No ``image:``: a kustomize/strategic-merge fragment, not a whole container."""
        return "image" not in self.data

    def get(self, *keys: str) -> object:
        return get_path(self.data, *keys)

    def line_of(self, *keys: str) -> int:
        """Line of the deepest existing key along ``keys`` (the item line when none exists)."""
        cur, line = self.data, self.line
        for key in keys:
            if isinstance(cur, YMap) and key in cur:
                line, cur = cur.line_of(key), cur[key]
            else:
                break
        return line

    def port_names_and_numbers(self) -> tuple[set[str], set[int]] | None:
        """Declared ports, or None when the list is templated or holds templated entries."""
        ports = self.data.get("ports")
        if ports is None:
            return set(), set()
        if not isinstance(ports, list):
            return None
        names, numbers = set(), set()
        for item in ports:
            if not isinstance(item, dict):
                return None
            number, name = item.get("containerPort"), item.get("name")
            if is_templated(number) or is_templated(name):
                return None
            if isinstance(number, int) and not isinstance(number, bool):
                numbers.add(number)
            elif isinstance(number, str) and number.isdigit():
                numbers.add(int(number))
            if isinstance(name, str):
                names.add(name)
        return names, numbers


@dataclass
class Workload:
    file: SourceFile
    doc: YamlDoc
    data: YMap
    kind: str
    name: str | None
    namespace: str | None  # None: templated
    pod: YMap | None  # the pod template (metadata + spec)
    pod_spec: YMap | None
    spec_line: int  # line of the pod spec's ``spec:`` key
    containers: list[Container] = field(default_factory=list)
    init_containers: list[Container] = field(default_factory=list)
    gaps: Gaps = field(default_factory=Gaps)

    @property
    def path(self) -> str:
        return self.file.path

    @property
    def title(self) -> str:
        """``Deployment `orders` `` for messages (a templated name is left out)."""
        return f"{self.kind} `{self.name}`" if self.name and not is_templated(self.name) else f"this {self.kind}"

    @property
    def kind_line(self) -> int:
        return self.data.line_of("kind")

    @property
    def labels(self) -> dict | None:
        """Pod template labels; None when unknown (templated, or no pod template at all)."""
        meta = self.pod.get("metadata") if self.pod is not None else None
        if self.pod is None or self.gaps.unknown(meta) or (meta is None and self.gaps.may_hide_keys(self.pod)):
            return None
        labels = meta.get("labels") if isinstance(meta, dict) else None
        if self.gaps.unknown(labels) or (labels is None and self.gaps.may_hide_keys(meta)):
            return None
        if labels is None:
            return {}
        if not isinstance(labels, dict) or self.gaps.may_hide_keys(labels):
            return None
        if any(is_templated(k) or is_templated(v) for k, v in labels.items()):
            return None
        return dict(labels)

    @property
    def is_patch(self) -> bool:
        """A kustomize/strategic-merge fragment: no pod template, or containers without images."""
        return self.pod is None or (bool(self.containers) and all(c.is_patch for c in self.containers))

    @property
    def job_like(self) -> bool:
        restart = get_path(self.pod_spec, "restartPolicy")
        return self.kind in JOB_KINDS or (self.kind == "Pod" and restart in ("Never", "OnFailure"))

    @property
    def all_containers(self) -> list[Container]:
        return [*self.init_containers, *self.containers]

    @property
    def long_running_containers(self) -> list[Container]:
        return [c for c in self.all_containers if c.long_running]


@dataclass
class Service:
    file: SourceFile
    data: YMap
    name: str | None
    namespace: str | None
    selector: dict | None  # None: absent, empty or templated
    selector_line: int
    known: bool  # False when the selector is templated

    def port_protocols(self) -> dict[int, str]:
        """Service port -> "gRPC" or "HTTP", by its ``appProtocol`` or its name (``grpc``, ``http-web``:
        Istio's naming convention); ports that say neither are left out."""
        out = {}
        for item in as_list(get_path(self.data, "spec", "ports")):
            if not isinstance(item, dict) or not isinstance(item.get("port"), int):
                continue
            name, proto = str(item.get("name") or "").lower(), str(item.get("appProtocol") or "").lower()
            said = proto.rsplit("/", 1)[-1] or name.split("-", 1)[0]
            if said == "grpc" or said == "grpc-web":
                out[item["port"]] = "gRPC"
            elif said in ("http", "http2", "https", "h2c"):
                out[item["port"]] = "HTTP"
        return out

    def target_ports(self) -> tuple[set[str], set[int]] | None:
        """Container ports the Service sends traffic to (by name and number); None when templated."""
        names, numbers = set(), set()
        ports = get_path(self.data, "spec", "ports")
        if is_templated(ports):
            return None
        for item in as_list(ports):
            if not isinstance(item, dict):
                return None
            target = item.get("targetPort", item.get("port"))
            if is_templated(target) or target is None:
                return None
            if isinstance(target, int) or (isinstance(target, str) and target.isdigit()):
                numbers.add(int(target))
            else:
                names.add(str(target))
        return names, numbers


def namespace_of(data: YMap) -> str | None:
    ns = get_path(data, "metadata", "namespace")
    if ns is None:
        return DEFAULT_NAMESPACE
    return None if is_templated(ns) or not isinstance(ns, str) else ns


def same_namespace(a: str | None, b: str | None) -> bool | None:
    if a is None or b is None:
        return None
    return a == b


def selector_matches(selector: dict | None, labels: dict | None) -> bool | None:
    """Equality-based selector vs pod labels: True, False, or None when either is unknown."""
    if selector is None or labels is None:
        return None
    return all(k in labels and str(labels[k]) == str(v) for k, v in selector.items())


def label_selector_matches(selector: object, labels: dict | None) -> bool | None:
    """A ``matchLabels`` + ``matchExpressions`` selector (PDBs). An empty one selects every pod."""
    if not isinstance(selector, dict):
        return None if is_templated(selector) or selector is None else False
    if labels is None:
        return None
    match_labels = selector.get("matchLabels") or {}
    expressions = selector.get("matchExpressions") or []
    if not isinstance(match_labels, dict) or not isinstance(expressions, list):
        return None
    if any(is_templated(k) or is_templated(v) for k, v in match_labels.items()):
        return None
    if not all(k in labels and str(labels[k]) == str(v) for k, v in match_labels.items()):
        return False
    for expr in expressions:
        if not isinstance(expr, dict):
            return None
        key, op, values = expr.get("key"), expr.get("operator"), expr.get("values") or []
        if not isinstance(values, list) or is_templated(key):
            return None
        values = [str(v) for v in values]
        if op == "In" and not (key in labels and str(labels[key]) in values):
            return False
        if op == "NotIn" and key in labels and str(labels[key]) in values:
            return False
        if op == "Exists" and key not in labels:
            return False
        if op == "DoesNotExist" and key in labels:
            return False
        if op not in ("In", "NotIn", "Exists", "DoesNotExist"):
            return None
    return True


def _containers(spec: YMap, key: str, init: bool) -> list[Container]:
    items = spec.get(key)
    if not isinstance(items, YList):
        return []
    return [Container(c, items.line_at(i), init) for i, c in enumerate(items) if isinstance(c, YMap)]


def manifest_docs(f: SourceFile) -> Iterator[tuple[YamlDoc, YMap, str]]:
    """(doc, mapping, kind) for every Kubernetes object with a plain kind: each document, and each
    item of a ``kind: List`` document (what ``kubectl get -o yaml`` writes) as a document of its own."""
    if f.kind not in (FileKind.K8S, FileKind.HELM) or f.path.endswith(".tpl"):
        return
    for doc in f.yaml_docs:
        for data in _objects(doc.data):
            kind = data.get("kind")
            if isinstance(kind, str) and not is_templated(kind):
                yield (doc if data is doc.data else YamlDoc(doc.index, data, data.line, data.end_line)), data, kind


def _objects(data: object) -> Iterator[YMap]:
    if not isinstance(data, YMap):
        return
    kind, items = data.get("kind"), data.get("items")
    if isinstance(kind, str) and kind.endswith("List") and isinstance(items, list):
        yield from (item for item in items if isinstance(item, YMap))
    else:
        yield data


def gaps_of(f: SourceFile) -> Gaps:
    tpl = f.helm_template
    return Gaps(tpl, tuple(f.lines)) if tpl is not None else Gaps()


def workload(f: SourceFile, doc: YamlDoc, data: YMap, kind: str, gaps: Gaps) -> Workload | None:
    where = POD_TEMPLATE.get(kind)
    if where is None:
        return None
    pod = as_map(get_path(data, *where)) if where else data
    parent = as_map(get_path(data, *where[:-1])) if where else None
    spec = as_map(get_path(pod, "spec")) if pod is not None else None
    name = get_path(data, "metadata", "name")
    w = Workload(f, doc, data, kind, name if isinstance(name, str) else None, namespace_of(data), pod, spec,
                 pod.line_of("spec") if pod is not None else (parent.line if parent is not None else data.line),
                 gaps=gaps)
    if spec is not None:
        w.containers = _containers(spec, "containers", False)
        w.init_containers = _containers(spec, "initContainers", True)
    return w


def workloads_of(f: SourceFile) -> list[Workload]:
    gaps = gaps_of(f)
    return [w for doc, data, kind in manifest_docs(f) if (w := workload(f, doc, data, kind, gaps)) is not None]


def service_of(f: SourceFile, data: YMap) -> Service:
    spec = as_map(data.get("spec"))
    selector = spec.get("selector") if spec is not None else None
    line = spec.line_of("selector") if spec is not None else data.line_of("kind")
    known = isinstance(selector, dict) and not any(is_templated(k) or is_templated(v) for k, v in selector.items())
    if isinstance(selector, YMap) and gaps_of(f).may_hide_keys(selector):
        known = False
    name = get_path(data, "metadata", "name")
    return Service(f, data, name if isinstance(name, str) else None, namespace_of(data),
                   dict(selector) if isinstance(selector, dict) and selector else None, line, known)
