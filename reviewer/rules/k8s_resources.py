"""Kubernetes capacity and availability: resource requests and limits, replicas, HPA, PDB, rollout strategy."""

from __future__ import annotations

from collections.abc import Iterator

from reviewer.diff import FileStatus
from reviewer.model import Category, Severity
from reviewer.project import SourceFile
from reviewer.rules.registry import Hit, RuleContext, Scope, Speaks, rule
from reviewer.sources import k8s_fixes as fx
from reviewer.sources.k8s_index import K8sIndex, index_of
from reviewer.sources.k8s_objects import Container, Workload, as_map, gaps_of, manifest_docs, same_namespace
from reviewer.sources.k8s_workloads import KINDS, is_dev_path, regular_containers, service_list
from reviewer.sources.yaml_docs import YMap, get_path


def _resource(w: Workload, c: Container, section: str, name: str) -> tuple[bool | None, int]:
    """Is ``resources.<section>.<name>`` set: True, False, or None (unknown); and where to add it."""
    resources = c.data.get("resources")
    if w.gaps.hides(c.data, "resources") or (resources is not None and not isinstance(resources, dict)):
        return None, c.line
    if not isinstance(resources, YMap):
        return False, c.data.line_of("resources", c.line)
    values = resources.get(section)
    if w.gaps.hides(resources, section) or (values is not None and not isinstance(values, dict)):
        return None, c.line
    if not isinstance(values, dict) or name not in values:
        if isinstance(values, dict) and w.gaps.may_hide_keys(values):
            return None, c.line
        return False, resources.line_of(section, c.data.line_of("resources"))
    return True, c.line


def _defaulted(idx: K8sIndex, w: Workload, *keys: str) -> bool:
    """A LimitRange in the namespace supplies one of these defaults (``limits.memory`` ...)."""
    return any(same_namespace(ns, w.namespace) is not False and set(keys) & found
               for ns, found in idx.limit_defaults.items())


@rule("k8s-missing-memory-limit", kinds=KINDS, category=Category.RESILIENCE, severity=Severity.WARNING,
      equivalents=("unset-memory-requirements", "container-resources", "memoryLimitsMissing", "CKV_K8S_13"),
      speaks=Speaks.AUDIT)
def missing_memory_limit(f: SourceFile, ctx: RuleContext) -> Iterator[Hit]:
    """Container has no memory limit

    Why: a leak or a large request body lets one pod eat the node's memory; the kernel then
    OOM-kills neighbours (often the ones that did nothing wrong) instead of the culprit.

    Fix:
        resources:
          requests:
            cpu: 250m
            memory: 256Mi
          limits:
            memory: 512Mi
    """
    idx = index_of(ctx.project)
    for w in idx.workloads_in(f.path):
        if _defaulted(idx, w, "limits.memory"):
            continue
        for c in regular_containers(w):
            state, line = _resource(w, c, "limits", "memory")
            if state is False:
                yield Hit(line, f"container `{c.name}` has no `resources.limits.memory`", **fx.memory_limit(f, c, line))


@rule("k8s-missing-resource-requests", kinds=KINDS, category=Category.RESILIENCE, severity=Severity.WARNING,
      equivalents=("unset-cpu-requirements", "cpuRequestsMissing", "memoryRequestsMissing", "CKV_K8S_10",
                   "CKV_K8S_12"), speaks=Speaks.AUDIT)
def missing_resource_requests(f: SourceFile, ctx: RuleContext) -> Iterator[Hit]:
    """Container has no CPU or memory request

    Why: the scheduler places pods by their requests. Without them the pod is BestEffort: it
    lands on already full nodes, is the first evicted under pressure, and the HPA cannot compute
    utilisation. (A limit without a request counts: Kubernetes copies the limit.)

    Fix:
        resources:
          requests:
            cpu: 250m
            memory: 256Mi
          limits:
            memory: 512Mi
    """
    idx = index_of(ctx.project)
    for w in idx.workloads_in(f.path):
        for c in regular_containers(w):
            missing, anchor, unknown = [], c.line, False
            for name in ("cpu", "memory"):
                if _defaulted(idx, w, f"requests.{name}", f"limits.{name}"):
                    continue
                request, line = _resource(w, c, "requests", name)
                limit, _ = _resource(w, c, "limits", name)
                if request is None or limit is None:
                    unknown = True
                elif not request and not limit:
                    missing.append(name)
                    anchor = line
            if missing and not unknown:
                yield Hit(anchor, f"container `{c.name}` has no {' or '.join(missing)} request",
                          **fx.resource_requests(c, missing))


def _replicas(w: Workload) -> object:
    """The Deployment's replica count; ``...`` when unknown (templated or template-supplied)."""
    spec = as_map(w.data.get("spec"))
    if spec is None or w.gaps.hides(spec, "replicas"):
        return ...
    value = spec.get("replicas", 1)
    return value if isinstance(value, int) and not isinstance(value, bool) else ...


def _scaled_elsewhere(idx: K8sIndex, w: Workload) -> bool:
    """Another document (a kustomize patch or replicas entry) may set this Deployment's replicas."""
    if w.name in idx.kustomize_replicas:
        return True
    for other in idx.named(w.kind, w.name):
        if other is not w and other.path != w.path:
            count = _replicas(other)
            if count is ... or (isinstance(count, int) and count >= 2):
                return True
    return False


@rule("k8s-single-replica", kinds=KINDS, category=Category.RESILIENCE, severity=Severity.WARNING,
      equivalents=("deployment-replicas", "deploymentMissingReplicas", "minimum-three-replicas"), speaks=Speaks.AUDIT)
def single_replica(f: SourceFile, ctx: RuleContext) -> Iterator[Hit]:
    """Deployment runs a single replica and no autoscaler scales it

    Why: with one pod every node drain, rollout hiccup or crash is an outage, and a
    PodDisruptionBudget cannot help. `replicas` defaults to 1 when it is left out.

    Fix:
        spec:
          replicas: 2
        # or a HorizontalPodAutoscaler with minReplicas: 2 targeting this Deployment
    """
    idx = index_of(ctx.project)
    if is_dev_path(f.path):
        return
    for w in idx.workloads_in(f.path):
        spec = as_map(w.data.get("spec"))
        count = _replicas(w)
        if w.kind != "Deployment" or spec is None or count is ... or not 0 < count < 2:  # type: ignore[operator]
            continue
        if w.is_patch and "replicas" not in spec:
            continue  # a patch that leaves the count to the base
        if idx.autoscaled(w) is not False or _scaled_elsewhere(idx, w):
            continue
        line = spec.line_of("replicas") if "replicas" in spec else w.data.line_of("spec")
        yield Hit(line, f"{w.title} runs 1 replica" + ("" if "replicas" in spec else " (the default)"),
                  **fx.replicas(f, spec, "replicas", line, w.title))


@rule("k8s-hpa-min-replicas-low", kinds=KINDS, category=Category.RESILIENCE, severity=Severity.WARNING,
      equivalents=("hpaMinAvailability", "horizontalpodautoscaler-replicas", "hpa-minimum-three-replicas"),
      speaks=Speaks.AUDIT)
def hpa_min_replicas_low(f: SourceFile, ctx: RuleContext) -> Iterator[Hit]:
    """HorizontalPodAutoscaler may scale down to one replica

    Why: at night the HPA scales to `minReplicas` (1 when absent), and from then on a single
    pod restart or node drain is an outage until the HPA reacts.

    Fix:
        spec:
          minReplicas: 2
          maxReplicas: 10
    """
    if is_dev_path(f.path):
        return
    gaps = gaps_of(f)
    for _doc, data, kind in manifest_docs(f):
        spec = as_map(data.get("spec"))
        if kind != "HorizontalPodAutoscaler" or spec is None or gaps.hides(spec, "minReplicas"):
            continue
        value = spec.get("minReplicas", 1)
        if isinstance(value, int) and not isinstance(value, bool) and value < 2:
            line = spec.line_of("minReplicas") if "minReplicas" in spec else data.line_of("spec")
            yield Hit(line, f"minReplicas is {value}" + ("" if "minReplicas" in spec else " (the default)"),
                      **fx.min_replicas(f, data, spec, line))


@rule("k8s-missing-pdb", kinds=KINDS, category=Category.RESILIENCE, severity=Severity.INFO, scope=Scope.PROJECT,
      equivalents=("deployment-has-poddisruptionbudget", "missingPodDisruptionBudget"), speaks=Speaks.AUDIT)
def missing_pdb(ctx: RuleContext) -> Iterator[Hit]:
    """Replicated Deployment has no PodDisruptionBudget

    Why: a node upgrade drains nodes without regard for your replicas; without a PDB both pods of
    a two-replica Deployment can be evicted at the same time, and the service goes dark. (A PR
    that deletes the budget's file is judged on the Deployment it leaves uncovered.)

    Fix:
        apiVersion: policy/v1
        kind: PodDisruptionBudget
        metadata:
          name: api
        spec:
          minAvailable: 1
          selector:
            matchLabels:
              app: api
    """
    idx = index_of(ctx.project)
    paths = sorted(idx.by_path) if ctx.targets is None else sorted(ctx.targets)
    judged = [w for path in paths for w in idx.workloads_in(path)]
    deleted = _deleted_budget_files(ctx)
    if deleted and ctx.base is not None:  # the Deployments the deleted budgets covered, untouched by the change
        base_idx = index_of(ctx.base)
        judged += [w for path in sorted(idx.by_path) if path not in paths for w in idx.workloads_in(path)
                   if any(base_idx.has_budget(b) is True for b in base_idx.workloads_in(path) if b.name == w.name)]
    for w in judged:
        if w.kind != "Deployment" or w.labels is None or is_dev_path(w.path):
            continue
        count = _replicas(w)
        replicated = isinstance(count, int) and count >= 2
        autoscaled = idx.autoscaled(w) is True
        if (replicated or autoscaled) and idx.has_budget(w) is False:
            why = f"{count} replicas" if replicated else "an autoscaler"
            yield Hit(w.kind_line, f"{w.title} has {why} and no PodDisruptionBudget selects its pods", path=w.path,
                      also=tuple((p, 1) for p in deleted), **fx.budget(w))


def _deleted_budget_files(ctx: RuleContext) -> list[str]:
    """Files this change deletes that held a PodDisruptionBudget (read from the base)."""
    if ctx.changes is None or ctx.base is None:
        return []
    out = []
    for path, change in ctx.changes.files.items():
        if change.status is FileStatus.REMOVED and (f := ctx.base.get(path)) is not None \
                and "PodDisruptionBudget" in f.text:
            out.append(path)
    return sorted(out)


@rule("k8s-recreate-strategy", kinds=KINDS, category=Category.RESILIENCE, severity=Severity.WARNING,
      equivalents=("deployment-strategy", "no-rolling-update-strategy"))
def recreate_strategy(f: SourceFile, ctx: RuleContext) -> Iterator[Hit]:
    """Deployment behind a Service uses the Recreate strategy

    Why: Recreate stops every old pod before starting new ones, so each release is a full outage
    of the Service for as long as the new pods take to become ready.

    Fix:
        strategy:
          type: RollingUpdate
          rollingUpdate:
            maxUnavailable: 0
            maxSurge: 1
    """
    idx = index_of(ctx.project)
    for w in idx.workloads_in(f.path):
        strategy = as_map(get_path(w.data, "spec", "strategy"))
        if w.kind != "Deployment" or strategy is None or strategy.get("type") != "Recreate":
            continue
        services = idx.backing_services(w)
        if services:
            yield Hit(strategy.line_of("type"), f"{w.title} serves Service {service_list(services)}",
                      **fx.rolling_update(f, w, strategy.line_of("type")))
