"""Fixes for Kubernetes findings, in the manifest's own names: the container, its ports, its
requests, the workload's labels. Suggestions edit one scalar or add one key under an existing
block, in plain manifests only (the registry also drops any that touch a templated Helm line)."""

from __future__ import annotations

import difflib

from reviewer.project import SourceFile
from reviewer.sources.edits import Remedy, insert_under, remedy, set_scalar
from reviewer.sources.images import with_pin
from reviewer.sources.k8s_objects import Container, Workload, as_list, as_map
from reviewer.sources.yaml_docs import YMap, get_path


def _container(c: Container, *body: str) -> str:
    return "\n".join(["containers:", f"  - name: {c.name}", *(f"    {b}" for b in body)])


def _first_child(m: YMap) -> int | None:
    return min(m.key_lines.values()) if getattr(m, "key_lines", None) else None


def _under(f: SourceFile, m: YMap, key: str, block: list[str]) -> str | None:
    """``block`` added under ``m[key]``, a block mapping that already has children."""
    child = m.get(key)
    first = _first_child(child) if isinstance(child, YMap) else None
    if first is None or first <= m.line_of(key):
        return None
    return insert_under(f.lines, m.line_of(key), first, block)


def _mapping(name: str, values: object) -> list[str]:
    items = values.items() if isinstance(values, dict) else []
    return [f"{name}:", *(f"  {k}: {v}" for k, v in items)]


def memory_limit(f: SourceFile, c: Container, line: int) -> Remedy:
    """k8s-missing-memory-limit: a limit on this container; the suggestion sets it to the memory
    the container already requests (a limit equal to the request), and needs that request."""
    resources = as_map(c.data.get("resources"))
    requests = as_map(resources.get("requests")) if resources is not None else None
    limits = as_map(resources.get("limits")) if resources is not None else None
    request = requests.get("memory") if requests is not None else None
    value = str(request) if isinstance(request, (str, int)) and not isinstance(request, bool) else "512Mi"
    body = ["resources:"]
    if requests is not None:
        body += [f"  {ln}" for ln in _mapping("requests", requests)]
    body += [f"  {ln}" for ln in _mapping("limits", limits)] if limits is not None else ["  limits:"]
    body.append(f"    memory: {value}")
    suggestion = None
    if request is not None and resources is not None:
        if limits is not None and resources.line_of("limits") == line:
            suggestion = _under(f, resources, "limits", [f"memory: {value}"])
        elif limits is None and "limits" not in resources and c.data.line_of("resources") == line:
            suggestion = _under(f, c.data, "resources", ["limits:", f"  memory: {value}"])
    return remedy(_container(c, *body), suggestion, line=line)


def resource_requests(c: Container, missing: list[str]) -> Remedy:
    defaults = {"cpu": "250m", "memory": "256Mi"}
    return remedy(_container(c, "resources:", "  requests:", *(f"    {n}: {defaults[n]}" for n in missing)))


def min_replicas(f: SourceFile, data: YMap, spec: YMap, line: int) -> Remedy:
    """k8s-hpa-min-replicas-low: ``minReplicas: 2``, suggested only where ``maxReplicas`` allows it."""
    name = get_path(data, "metadata", "name")
    title = f"HorizontalPodAutoscaler `{name}`" if isinstance(name, str) else "HorizontalPodAutoscaler"
    out = replicas(f, spec, "minReplicas", line, title)
    top = spec.get("maxReplicas")
    if not isinstance(top, int) or isinstance(top, bool) or top < 2:
        out.pop("suggestion", None)
    return out


def replicas(f: SourceFile, spec: YMap, key: str, line: int, title: str) -> Remedy:
    """k8s-single-replica: 2 instead of 1 (set, or added under ``spec:``)."""
    fix = f"# {title}\nspec:\n  {key}: 2"
    if key in spec:
        suggestion = set_scalar(f.line_text(line), key, "2")
    else:
        first = _first_child(spec)
        suggestion = insert_under(f.lines, line, first, [f"{key}: 2"]) if first is not None and first > line else None
    return remedy(fix, suggestion, line=line)


def budget(w: Workload) -> Remedy:
    """k8s-missing-pdb: a PodDisruptionBudget selecting this Deployment's pods by their real labels."""
    labels = [f"      {k}: {v}" for k, v in (w.labels or {}).items()]
    return remedy("\n".join(["apiVersion: policy/v1", "kind: PodDisruptionBudget", "metadata:",
                             f"  name: {w.name or 'api'}", "spec:", "  minAvailable: 1", "  selector:",
                             "    matchLabels:", *labels]))


def rolling_update(f: SourceFile, w: Workload, line: int) -> Remedy:
    """k8s-recreate-strategy: RollingUpdate; no suggestion when the pods mount a volume claim,
    which a second pod may be unable to attach while the first still runs (why Recreate is used)."""
    fix = (f"# {w.title}\nstrategy:\n  type: RollingUpdate\n  rollingUpdate:\n"
           "    maxUnavailable: 0\n    maxSurge: 1")
    volumes = as_list(w.pod_spec.get("volumes")) if w.pod_spec is not None else []
    claims = any(isinstance(v, dict) and "persistentVolumeClaim" in v for v in volumes)
    suggestion = None if claims else set_scalar(f.line_text(line), "type", "RollingUpdate")
    return remedy(fix, suggestion, line=line)


def _port(c: Container) -> str:
    for item in as_list(c.data.get("ports")):
        if isinstance(item, dict) and item.get("name"):
            return str(item["name"])
    for item in as_list(c.data.get("ports")):
        if isinstance(item, dict) and item.get("containerPort") is not None:
            return str(item["containerPort"])
    return "8000"


def probe(c: Container, kind: str, path: str) -> Remedy:
    """k8s-missing-readiness-probe / -liveness-probe: the probe on the container's own port."""
    period = "5" if kind == "readinessProbe" else "10"
    return remedy(_container(c, f"{kind}:", "  httpGet:", f"    path: {path}   # a route that answers 200 "
                             f"{'when it can serve' if kind == 'readinessProbe' else 'without any I/O'}",
                             f"    port: {_port(c)}", f"  periodSeconds: {period}", "  failureThreshold: 3"))


def split_probes(c: Container, shared: str | None) -> Remedy:
    """k8s-identical-liveness-readiness: liveness on a route of its own, readiness keeps the shared
    HTTP one (no fix built for exec or TCP probes: what to check instead depends on the program)."""
    if shared is None:
        return {}
    port = _port(c)
    return remedy(_container(c, "livenessProbe:", f"  httpGet: {{path: /livez, port: {port}}}   # no I/O",
                             "readinessProbe:", f"  httpGet: {{path: {shared}, port: {port}}}   # may check the DB"))


def probe_port(c: Container, probe: str, action: str, port: object, declared: tuple[set[str], set[int]]) -> Remedy:
    """k8s-probe-port-not-exposed: the probe on a port the container declares, or the probe's port declared."""
    names, numbers = declared
    known = sorted(names) or [str(n) for n in sorted(numbers)]
    if known:
        return remedy(_container(c, f"{probe}:", f"  {action}:", f"    port: {known[0]}   # declared in `ports:`; "
                                 f"or declare {port} there"))
    item = [f"  - name: {port}", "    containerPort: <the port it serves>"] if isinstance(port, str) and \
        not port.isdigit() else [f"  - containerPort: {port}"]
    return remedy(_container(c, "ports:", *item))


def grace_period(f: SourceFile, w: Workload, line: int) -> Remedy:
    """k8s-termination-grace-too-short: 30 s (the Kubernetes default), plus a preStop pause."""
    name = w.containers[0].name if w.containers else "api"
    fix = ("spec:\n  terminationGracePeriodSeconds: 30\n  containers:\n"
           f"    - name: {name}\n      lifecycle:\n        preStop:\n          exec: {{command: [\"sleep\", \"5\"]}}")
    return remedy(fix, set_scalar(f.line_text(line), "terminationGracePeriodSeconds", "30"), line=line)


def pinned_image(c: Container, image: str) -> Remedy:
    return remedy(_container(c, f"image: {with_pin(image)}", "# or pinned by digest",
                             f"# image: {with_pin(image)}@sha256:<digest>"))


def secret_ref(w: Workload, c: Container, name: str) -> Remedy:
    """k8s-literal-secret-in-env: the variable read from a Secret named after the workload."""
    secret = f"{w.name or c.name}-secrets"
    key = name.lower().replace("_", "-")
    return remedy(_container(c, "env:", f"  - name: {name}", "    valueFrom:", "      secretKeyRef:",
                             f"        name: {secret}   # kubectl create secret generic {secret} "
                             f"--from-literal={key}=...", f"        key: {key}"))


def non_root(w: Workload, names: list[str], pod_level: bool) -> Remedy:
    """k8s-runs-as-root: runAsNonRoot on the pod (all containers) or on the named containers."""
    if pod_level:
        return remedy(f"# {w.title}\nspec:\n  securityContext:\n    runAsNonRoot: true\n    runAsUser: 10001")
    return remedy("\n".join(["containers:", *(f"  - name: {n}\n    securityContext:\n      runAsNonRoot: true\n"
                                              "      runAsUser: 10001\n      allowPrivilegeEscalation: false"
                                              for n in names)]))


def selector(name: str | None, wanted: dict, labels: dict | None, namespace: str | None) -> Remedy:
    """k8s-service-selects-nothing: the Service in the pods' namespace, or selecting labels the pods
    carry (the first pods nearby that share a key with the selector)."""
    head = f"# Service `{name}`" if name else "# the Service"
    if namespace is not None:
        return remedy(f"{head}\nmetadata:\n  namespace: {namespace}   # where the pods it selects run")
    if not labels:
        return {}
    chosen = {k: labels[k] for k in wanted if k in labels} or dict(labels)
    return remedy("\n".join([head, "spec:", "  selector:", *(f"    {k}: {v}" for k, v in chosen.items()),
                             "# or give the pod template these labels"]))


# Kubernetes removed these versions without changing the object's schema: the new apiVersion is the
# whole migration. (extensions/v1beta1 and networking.k8s.io/v1beta1 Ingress, apps/v1beta1 and
# autoscaling/v2beta1 changed fields, so there the fix is only named, never applied.)
_SAME_SCHEMA = {("policy/v1beta1", "PodDisruptionBudget"), ("autoscaling/v2beta2", "HorizontalPodAutoscaler"),
                ("batch/v1beta1", "CronJob"), ("apps/v1beta2", "Deployment"), ("apps/v1beta2", "StatefulSet"),
                ("apps/v1beta2", "DaemonSet"), ("apps/v1beta2", "ReplicaSet")}


def api_version(f: SourceFile, line: int, old: str, new: str, kind: str) -> Remedy:
    """k8s-deprecated-api-version: the served apiVersion; applied only where the schema is the same."""
    same = (old, kind) in _SAME_SCHEMA or old.startswith("rbac.authorization.k8s.io/")
    note = "" if same else f"\n# {kind} fields changed between {old} and {new}: check the migration guide"
    suggestion = set_scalar(f.line_text(line), "apiVersion", new) if same else None
    return remedy(f"apiVersion: {new}\nkind: {kind}{note}", suggestion, line=line)


def liveness_without_io(path: str, handler: str, where: str) -> Remedy:
    """k8s-liveness-probe-hits-dependencies: liveness on a route without I/O; ``path`` stays for readiness
    (or, when the probe already uses ``/livez``, that handler loses its I/O to a readiness route)."""
    if path == "/livez":
        return remedy("\n".join([
            '@app.get("/livez")', f"async def {handler}() -> dict[str, str]:",
            '    return {"status": "alive"}  # no I/O: move the dependency checks to a /readyz route', "",
            "readinessProbe:", "  httpGet:", "    path: /readyz   # the route with the dependency checks"]))
    return remedy("\n".join([
        '@app.get("/livez")', "async def livez() -> dict[str, str]:",
        f'    return {{"status": "alive"}}  # no I/O; `{handler}()` ({where}) keeps serving readiness', "",
        "livenessProbe:", "  httpGet:", f"    path: /livez        # was {path}",
        "readinessProbe:", "  httpGet:", f"    path: {path}   # dependency checks belong here"]))


def served_path(kind: str, path: str, served: list[str], service: str) -> Remedy:
    """k8s-probe-path-unknown: the served GET path closest to the probe's, or the ones there are."""
    served = [p for p in served if "{" not in p]  # a probe cannot fill in a path parameter
    close = difflib.get_close_matches(path, served, n=1, cutoff=0.6)
    if close:
        return remedy(f"{kind}:\n  httpGet:\n    path: {close[0]}   # served by `{service}`; {path} is not")
    if not served:
        return {}
    return remedy(f"{kind}:\n  httpGet:\n    path: <one of {', '.join(served[:5])}>   # what `{service}` serves")


def unprivileged(c: Container) -> Remedy:
    return remedy(_container(c, "securityContext:", "  privileged: false", "  allowPrivilegeEscalation: false",
                             "  capabilities:", '    drop: ["ALL"]',
                             '    add: ["NET_BIND_SERVICE"]   # only what the process needs'))
