"""Kubernetes manifests and Helm templates: probes, resources, replicas, rollout, images, security.

Rules that need other objects (the Service in front of a Deployment, its HPA or PDB) are file
rules on the workload's file that read the project-wide index from ``k8s_objects``. In Helm
templates a templated value is unknown and never flagged; neither is a key that template output
could have supplied.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from reviewer.classify import FileKind
from reviewer.model import Category, Severity
from reviewer.project import SourceFile
from reviewer.rules.helpers import SECRET_NAME, URL_WITH_PASSWORD, is_literal_secret, is_mutable_image
from reviewer.rules.registry import Hit, RuleContext, rule
from reviewer.sources.helm import is_templated
from reviewer.sources.k8s_objects import (
    PROBES,
    Container,
    K8sIndex,
    Service,
    Workload,
    as_map,
    gaps_of,
    index_of,
    manifest_docs,
    pod_sources_near,
    same_namespace,
    selector_matches,
)
from reviewer.sources.yaml_docs import YMap, get_path

_KINDS = {FileKind.K8S, FileKind.HELM}
# Environment overlays where one replica is the point (kustomize overlays, values per env).
_DEV_DIRS = {"dev", "development", "local", "test", "tests", "testing", "sandbox", "minikube", "kind", "e2e"}


def _index(ctx: RuleContext) -> K8sIndex:
    return index_of(ctx.project)


def _dev_path(path: str) -> bool:
    return bool(set(path.lower().split("/")[:-1]) & _DEV_DIRS)


def _regular(w: Workload) -> Iterator[Container]:
    """Long-running containers that are whole containers (not kustomize fragments)."""
    return (c for c in w.long_running_containers if not c.is_patch)


def _names(services: list[Service]) -> str:
    return ", ".join(f"`{s.name}`" for s in services if s.name) or "a Service"


def _serving(w: Workload, services: list[Service]) -> list[Container]:
    """The containers behind the Services' target ports (the only container when ports say nothing)."""
    regular = [c for c in w.containers if not c.is_patch]
    chosen = []
    for s in services:
        targets = s.target_ports()
        if targets is None:
            continue
        for c in regular:
            declared = c.port_names_and_numbers()
            if declared and (declared[0] & targets[0] or declared[1] & targets[1]) and c not in chosen:
                chosen.append(c)
    return chosen or (regular if len(regular) == 1 else [])


@rule("k8s-missing-readiness-probe", kinds=_KINDS, category=Category.RESILIENCE, severity=Severity.WARNING,
      equivalents=("no-readiness-probe", "pod-probes", "readinessProbeMissing", "CKV_K8S_9"))
def missing_readiness_probe(f: SourceFile, ctx: RuleContext) -> Iterator[Hit]:
    """Container behind a Service has no readinessProbe

    Why: without a readiness probe the pod joins the Service's endpoints as soon as the process
    starts, before FastAPI has finished its lifespan startup (DB pool, caches), and stays there
    while it is overloaded or shutting down. Every rollout then serves a burst of 502s.

    Fix:
        containers:
          - name: api
            readinessProbe:
              httpGet:
                path: /readyz
                port: http
              periodSeconds: 5
              failureThreshold: 3
    """
    idx = _index(ctx)
    for w in idx.workloads_in(f.path):
        services = idx.backing_services(w) if w.kind in ("Deployment", "StatefulSet") else []
        for c in _serving(w, services) if services else []:
            if "readinessProbe" not in c.data and not w.gaps.hides(c.data, "readinessProbe"):
                yield Hit(c.line, f"container `{c.name}` receives traffic from Service {_names(services)}")


@rule("k8s-missing-liveness-probe", kinds=_KINDS, category=Category.RESILIENCE, severity=Severity.INFO,
      equivalents=("no-liveness-probe", "livenessProbeMissing", "CKV_K8S_8"))
def missing_liveness_probe(f: SourceFile, ctx: RuleContext) -> Iterator[Hit]:
    """Long-running container has no livenessProbe

    Why: a worker that deadlocks (a blocked event loop, a stuck thread pool) keeps its pod
    "Running" forever; without a liveness probe the kubelet never restarts it. Keep the probe
    cheap and local: it must not call the database or other services.

    Fix:
        livenessProbe:
          httpGet:
            path: /livez
            port: http
          periodSeconds: 10
          failureThreshold: 3
    """
    for w in _index(ctx).workloads_in(f.path):
        if w.job_like:
            continue
        for c in w.containers:
            if not c.is_patch and "livenessProbe" not in c.data and not w.gaps.hides(c.data, "livenessProbe"):
                yield Hit(c.line, f"container `{c.name}` of {w.title}")


def _port(value: object, c: Container) -> object:
    """A probe port, with a named port resolved to its number when the container declares it."""
    if isinstance(value, str) and value.isdigit():
        return int(value)
    if isinstance(value, str):
        for item in c.data.get("ports") or []:
            if isinstance(item, dict) and item.get("name") == value and isinstance(item.get("containerPort"), int):
                return item["containerPort"]
    return value


def _handler(probe: object, c: Container) -> tuple | None:
    if not isinstance(probe, dict):
        return None
    http, tcp, command, grpc = (probe.get("httpGet"), probe.get("tcpSocket"), _command(probe),
                                probe.get("grpc"))
    if isinstance(http, dict):
        handler: tuple = ("http", http.get("path", "/"), _port(http.get("port"), c), http.get("host"),
                          str(http.get("scheme", "HTTP")).upper())
    elif isinstance(tcp, dict):
        handler = ("tcp", _port(tcp.get("port"), c), tcp.get("host"))
    elif command is not None:
        handler = ("exec", *command)
    elif isinstance(grpc, dict):
        handler = ("grpc", grpc.get("port"), grpc.get("service"))
    else:
        return None
    return None if any(is_templated(part) or (part is None and i < 2) for i, part in enumerate(handler)) else handler


def _command(probe: dict) -> tuple[str, ...] | None:
    command = probe.get("exec", {}).get("command") if isinstance(probe.get("exec"), dict) else None
    return tuple(str(part) for part in command) if isinstance(command, list) else None


@rule("k8s-identical-liveness-readiness", kinds=_KINDS, category=Category.RESILIENCE,
      severity=Severity.WARNING, equivalents=("pod-probes-identical",))
def identical_liveness_readiness(f: SourceFile, ctx: RuleContext) -> Iterator[Hit]:
    """Liveness and readiness probes call the same handler

    Why: readiness answers "should I get traffic?" and may fail while a dependency is down;
    liveness answers "am I wedged?" and a failure restarts the container. Pointing both at one
    endpoint turns a database blip into restarts of every replica at once.

    Fix:
        livenessProbe:
          httpGet: {path: /livez, port: http}   # process is alive, no I/O
        readinessProbe:
          httpGet: {path: /readyz, port: http}  # may check the DB pool
    """
    for w in _index(ctx).workloads_in(f.path):
        for c in w.all_containers:
            live = _handler(c.data.get("livenessProbe"), c)
            if live is not None and live == _handler(c.data.get("readinessProbe"), c):
                what = f"`{live[1]}`" if live[0] == "http" else live[0]
                yield Hit(c.data.line_of("livenessProbe"), f"both probes of `{c.name}` use {what}")


@rule("k8s-probe-port-not-exposed", kinds=_KINDS, category=Category.RESILIENCE, severity=Severity.ERROR,
      equivalents=("readiness-port", "liveness-port", "startup-port"))
def probe_port_not_exposed(f: SourceFile, ctx: RuleContext) -> Iterator[Hit]:
    """Probe port is not one of the container's ports

    Why: a named probe port that the container does not declare cannot be resolved, so the probe
    fails on every attempt; a number that differs from every declared port usually is a typo
    (8080 vs 8000). Either way the pod never becomes ready or is restarted in a loop.

    Fix:
        ports:
          - name: http
            containerPort: 8000
        readinessProbe:
          httpGet:
            path: /readyz
            port: http   # the name (or number) declared above
    """
    for w in _index(ctx).workloads_in(f.path):
        for c in w.all_containers:
            declared = None if w.gaps.hides(c.data, "ports") or c.is_patch else c.port_names_and_numbers()
            if declared is None:
                continue
            names, numbers = declared
            for probe_key in PROBES:
                probe = as_map(c.data.get(probe_key))
                for kind in ("httpGet", "tcpSocket", "grpc"):
                    action = as_map(probe.get(kind)) if probe is not None else None
                    if action is None or "port" not in action or is_templated(action["port"]):
                        continue
                    port = action["port"]
                    number = port if isinstance(port, int) else int(port) if str(port).isdigit() else None
                    if number is None and str(port) not in names:
                        yield Hit(action.line_of("port"), f"{probe_key} of `{c.name}` uses port name `{port}`, "
                                  f"declared: {_declared(names, numbers)}")
                    elif number is not None and numbers and number not in numbers:
                        yield Hit(action.line_of("port"), f"{probe_key} of `{c.name}` uses port {number}, "
                                  f"declared: {_declared(names, numbers)}")


def _declared(names: set[str], numbers: set[int]) -> str:
    parts = [*sorted(names), *map(str, sorted(numbers))]
    return ", ".join(parts) if parts else "none"


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


@rule("k8s-missing-memory-limit", kinds=_KINDS, category=Category.RESILIENCE, severity=Severity.WARNING,
      equivalents=("unset-memory-requirements", "container-resources", "memoryLimitsMissing", "CKV_K8S_13"))
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
    idx = _index(ctx)
    for w in idx.workloads_in(f.path):
        if _defaulted(idx, w, "limits.memory"):
            continue
        for c in _regular(w):
            state, line = _resource(w, c, "limits", "memory")
            if state is False:
                yield Hit(line, f"container `{c.name}` has no `resources.limits.memory`")


@rule("k8s-missing-resource-requests", kinds=_KINDS, category=Category.RESILIENCE, severity=Severity.WARNING,
      equivalents=("unset-cpu-requirements", "cpuRequestsMissing", "memoryRequestsMissing", "CKV_K8S_10",
                   "CKV_K8S_12"))
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
    idx = _index(ctx)
    for w in idx.workloads_in(f.path):
        for c in _regular(w):
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
                yield Hit(anchor, f"container `{c.name}` has no {' or '.join(missing)} request")


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
    for other in idx.workloads:
        if other is not w and other.kind == w.kind and other.name == w.name and other.path != w.path:
            count = _replicas(other)
            if count is ... or (isinstance(count, int) and count >= 2):
                return True
    return False


@rule("k8s-single-replica", kinds=_KINDS, category=Category.RESILIENCE, severity=Severity.WARNING,
      equivalents=("deployment-replicas", "deploymentMissingReplicas", "minimum-three-replicas"))
def single_replica(f: SourceFile, ctx: RuleContext) -> Iterator[Hit]:
    """Deployment runs a single replica and no autoscaler scales it

    Why: with one pod every node drain, rollout hiccup or crash is an outage, and a
    PodDisruptionBudget cannot help. `replicas` defaults to 1 when it is left out.

    Fix:
        spec:
          replicas: 2
        # or a HorizontalPodAutoscaler with minReplicas: 2 targeting this Deployment
    """
    idx = _index(ctx)
    if _dev_path(f.path):
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
        yield Hit(line, f"{w.title} runs 1 replica" + ("" if "replicas" in spec else " (the default)"))


@rule("k8s-hpa-min-replicas-low", kinds=_KINDS, category=Category.RESILIENCE, severity=Severity.WARNING,
      equivalents=("hpaMinAvailability", "horizontalpodautoscaler-replicas", "hpa-minimum-three-replicas"))
def hpa_min_replicas_low(f: SourceFile, ctx: RuleContext) -> Iterator[Hit]:
    """HorizontalPodAutoscaler may scale down to one replica

    Why: at night the HPA scales to `minReplicas` (1 when absent), and from then on a single
    pod restart or node drain is an outage until the HPA reacts.

    Fix:
        spec:
          minReplicas: 2
          maxReplicas: 10
    """
    if _dev_path(f.path):
        return
    gaps = gaps_of(f)
    for _doc, data, kind in manifest_docs(f):
        spec = as_map(data.get("spec"))
        if kind != "HorizontalPodAutoscaler" or spec is None or gaps.hides(spec, "minReplicas"):
            continue
        value = spec.get("minReplicas", 1)
        if isinstance(value, int) and not isinstance(value, bool) and value < 2:
            line = spec.line_of("minReplicas") if "minReplicas" in spec else data.line_of("spec")
            yield Hit(line, f"minReplicas is {value}" + ("" if "minReplicas" in spec else " (the default)"))


@rule("k8s-missing-pdb", kinds=_KINDS, category=Category.RESILIENCE, severity=Severity.INFO,
      equivalents=("deployment-has-poddisruptionbudget", "missingPodDisruptionBudget"))
def missing_pdb(f: SourceFile, ctx: RuleContext) -> Iterator[Hit]:
    """Replicated Deployment has no PodDisruptionBudget

    Why: a node upgrade drains nodes without regard for your replicas; without a PDB both pods of
    a two-replica Deployment can be evicted at the same time, and the service goes dark.

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
    idx = _index(ctx)
    if _dev_path(f.path):
        return
    for w in idx.workloads_in(f.path):
        if w.kind != "Deployment" or w.labels is None:
            continue
        count = _replicas(w)
        replicated = isinstance(count, int) and count >= 2
        autoscaled = idx.autoscaled(w) is True
        if (replicated or autoscaled) and idx.has_budget(w) is False:
            why = f"{count} replicas" if replicated else "an autoscaler"
            yield Hit(w.kind_line, f"{w.title} has {why} and no PodDisruptionBudget selects its pods")


@rule("k8s-recreate-strategy", kinds=_KINDS, category=Category.RESILIENCE, severity=Severity.WARNING,
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
    idx = _index(ctx)
    for w in idx.workloads_in(f.path):
        strategy = as_map(get_path(w.data, "spec", "strategy"))
        if w.kind != "Deployment" or strategy is None or strategy.get("type") != "Recreate":
            continue
        services = idx.backing_services(w)
        if services:
            yield Hit(strategy.line_of("type"), f"{w.title} serves Service {_names(services)}")


@rule("k8s-termination-grace-too-short", kinds=_KINDS, category=Category.RESILIENCE, severity=Severity.WARNING)
def termination_grace_too_short(f: SourceFile, ctx: RuleContext) -> Iterator[Hit]:
    """Pod behind a Service gets almost no time to shut down

    Why: on SIGTERM uvicorn stops accepting connections and finishes in-flight requests, while
    endpoints take a few seconds to drop the pod. With a grace period under 5 s (0 means an
    immediate SIGKILL) requests in flight are cut off on every rollout and scale-down.

    Fix:
        spec:
          terminationGracePeriodSeconds: 30
          containers:
            - name: api
              lifecycle:
                preStop:
                  exec: {command: ["sleep", "5"]}
    """
    idx = _index(ctx)
    for w in idx.workloads_in(f.path):
        grace = w.pod_spec.get("terminationGracePeriodSeconds") if w.pod_spec is not None else None
        if not isinstance(grace, int) or isinstance(grace, bool) or grace >= 5:
            continue
        services = idx.backing_services(w)
        if services:
            sev = Severity.ERROR if grace <= 0 else None
            yield Hit(w.pod_spec.line_of("terminationGracePeriodSeconds"),  # type: ignore[union-attr]
                      f"{grace} s for pods behind Service {_names(services)}", severity=sev)


def _rewritten(idx: K8sIndex, image: str) -> bool:
    name = image.split("@", 1)[0]
    if ":" in name.rsplit("/", 1)[-1]:
        name = name.rsplit(":", 1)[0]
    return name in idx.rewritten_images


@rule("k8s-image-mutable-tag", kinds=_KINDS, category=Category.OPERABILITY, severity=Severity.WARNING,
      equivalents=("latest-tag", "container-image-tag", "tagNotSpecified", "CKV_K8S_14"))
def image_mutable_tag(f: SourceFile, ctx: RuleContext) -> Iterator[Hit]:
    """Container image has no tag or uses `:latest`

    Why: the same manifest then runs different code on different nodes (each pulls whatever
    `latest` is at that moment), and a rollback redeploys the broken image.

    Fix:
        image: ghcr.io/acme/orders-api:1.14.2
        # or pinned by digest
        image: ghcr.io/acme/orders-api@sha256:4f3c...e9a1
    """
    idx = _index(ctx)
    for w in idx.workloads_in(f.path):
        for c in w.all_containers:
            image = c.data.get("image")
            if not isinstance(image, str) or image.startswith("ko://") or _rewritten(idx, image.strip()):
                continue  # the build/deploy tool sets the tag
            if image.strip() and is_mutable_image(image.strip()):
                what = "uses `:latest`" if image.strip().endswith(":latest") else "has no tag"
                yield Hit(c.data.line_of("image"), f"`{image.strip()}` {what}")


_NOT_SECRET_NAME = re.compile(r"(?i)bypass|compass|passenger|passthrough|passive|(_|^)(file|path|dir|name|ttl|"
                              r"expires?(_\w+)?|expiry|seconds|minutes|hours|days|length|algorithm|alg|url|host|"
                              r"port|user|username|enabled|header|type|mount_path|key_id)$")
_K8S_REFERENCE = re.compile(r"^\$\([A-Za-z_][A-Za-z0-9_]*\)$")
# substituted before deploy (sed, envsubst, CI): GOOGLE_API_KEY_VAL, <your-api-key>, __TOKEN__
_PLACEHOLDER = re.compile(r"^([A-Z][A-Z0-9]*(_[A-Z0-9]+)+|<[^<>]+>|__\w+__|\{[^{}]+\})$")


def _secret_literal(name: str, value: object) -> bool:
    if not isinstance(value, str) or not SECRET_NAME.search(name) or _NOT_SECRET_NAME.search(name):
        return False
    text = value.strip()
    return (is_literal_secret(text) and not text.isdigit() and text.lower() not in ("true", "false")
            and not text.startswith("/") and not _K8S_REFERENCE.match(text) and "$(" not in text
            and not _PLACEHOLDER.match(text))


def _url_password(value: object) -> bool:
    m = URL_WITH_PASSWORD.search(value) if isinstance(value, str) else None
    return bool(m) and not m.group(1).startswith("$")  # type: ignore[union-attr]


@rule("k8s-literal-secret-in-env", kinds=_KINDS, category=Category.SECURITY, severity=Severity.ERROR,
      equivalents=("sensitiveContainerEnvVar", "CKV_SECRET_4"))
def literal_secret_in_env(f: SourceFile, ctx: RuleContext) -> Iterator[Hit]:
    """Secret written as a literal in a container's env

    Why: the manifest lives in git and in every `kubectl get -o yaml`; anyone with read access to
    the repo or the namespace now has the credential, and rotating it means a code change.

    Fix:
        env:
          - name: DB_PASSWORD
            valueFrom:
              secretKeyRef:
                name: orders-db
                key: password
          - name: DATABASE_URL
            value: postgresql://orders:$(DB_PASSWORD)@db:5432/orders
    """
    for w in _index(ctx).workloads_in(f.path):
        for c in w.all_containers:
            env = c.data.get("env")
            for item in env if isinstance(env, list) else []:
                if not isinstance(item, YMap) or "valueFrom" in item or "value" not in item:
                    continue
                name, value = str(item.get("name", "")), item["value"]
                if is_templated(value) or is_templated(name):
                    continue
                if _secret_literal(name, value):
                    yield Hit(item.line_of("value"), f"`{name}` of `{c.name}` holds a literal value")
                elif _url_password(value):
                    yield Hit(item.line_of("value"), f"`{name}` of `{c.name}` is a URL with a password in it")


@rule("k8s-service-selects-nothing", kinds=_KINDS, category=Category.OPERABILITY, severity=Severity.ERROR,
      equivalents=("dangling-service", "service-targets-pod"))
def service_selects_nothing(f: SourceFile, ctx: RuleContext) -> Iterator[Hit]:
    """Service selector matches no pods

    Why: a Service whose selector matches no pod template has no endpoints; every request to it
    is refused. It is usually a label typo or a label renamed on one side only.

    Fix:
        # Service
        spec:
          selector:
            app: orders-api        # must equal the pod template's labels
        # Deployment
        spec:
          template:
            metadata:
              labels:
                app: orders-api
    """
    idx = _index(ctx)
    for s in idx.services_in(f.path):
        if not s.known or not s.selector:
            continue
        nearby = pod_sources_near(idx, s)
        if any(labels is None for _, labels in nearby) or not any(set(s.selector) & set(labels or {})
                                                                     for _, labels in nearby):
            continue  # the pods are defined elsewhere (another repo, an operator) or templated
        if any(selector_matches(s.selector, labels)
               for _, ns, labels in idx.pod_sources if same_namespace(ns, s.namespace) is not False):
            continue
        wanted = ", ".join(f"{k}={v}" for k, v in s.selector.items())
        elsewhere = sorted({str(ns) for ns, labels in nearby if selector_matches(s.selector, labels)})
        if elsewhere:
            yield Hit(s.selector_line, f"`{s.name}` selects {wanted} in namespace `{s.namespace}`; "
                      f"those pods are in `{', '.join(elsewhere)}`")
        else:
            seen = "; ".join(", ".join(f"{k}={v}" for k, v in labels.items()) for _, labels in nearby[:2] if labels)
            yield Hit(s.selector_line, f"`{s.name}` selects {wanted}, pods here have {seen}")


# Served API versions that Kubernetes removed, and what replaces them (by kind where it differs).
_REMOVED_APIS: dict[str, tuple[str, dict[str, str]]] = {
    "extensions/v1beta1": ("1.16/1.22", {"Ingress": "networking.k8s.io/v1", "NetworkPolicy": "networking.k8s.io/v1",
                                         "*": "apps/v1"}),
    "apps/v1beta1": ("1.16", {"*": "apps/v1"}),
    "apps/v1beta2": ("1.16", {"*": "apps/v1"}),
    "networking.k8s.io/v1beta1": ("1.22", {"*": "networking.k8s.io/v1"}),
    "policy/v1beta1": ("1.25", {"*": "policy/v1"}),
    "autoscaling/v2beta1": ("1.25", {"*": "autoscaling/v2"}),
    "autoscaling/v2beta2": ("1.26", {"*": "autoscaling/v2"}),
    "batch/v1beta1": ("1.25", {"*": "batch/v1"}),
    "rbac.authorization.k8s.io/v1beta1": ("1.22", {"*": "rbac.authorization.k8s.io/v1"}),
    "apiextensions.k8s.io/v1beta1": ("1.22", {"*": "apiextensions.k8s.io/v1"}),
    "admissionregistration.k8s.io/v1beta1": ("1.22", {"*": "admissionregistration.k8s.io/v1"}),
    "scheduling.k8s.io/v1beta1": ("1.22", {"*": "scheduling.k8s.io/v1"}),
    "coordination.k8s.io/v1beta1": ("1.22", {"*": "coordination.k8s.io/v1"}),
    "certificates.k8s.io/v1beta1": ("1.22", {"*": "certificates.k8s.io/v1"}),
    "discovery.k8s.io/v1beta1": ("1.25", {"*": "discovery.k8s.io/v1"}),
    "events.k8s.io/v1beta1": ("1.25", {"*": "events.k8s.io/v1"}),
    "node.k8s.io/v1beta1": ("1.25", {"*": "node.k8s.io/v1"}),
}


@rule("k8s-deprecated-api-version", kinds=_KINDS, category=Category.OPERABILITY, severity=Severity.ERROR,
      equivalents=("no-extensions-v1beta", "stable-version"))
def deprecated_api_version(f: SourceFile, ctx: RuleContext) -> Iterator[Hit]:
    """apiVersion is no longer served by Kubernetes

    Why: the API server rejects objects of a removed API version, so `kubectl apply` or
    `helm upgrade` fails on current clusters, often only when the cluster is upgraded.

    Fix:
        apiVersion: apps/v1            # was extensions/v1beta1 or apps/v1beta2
        kind: Deployment
        ---
        apiVersion: networking.k8s.io/v1   # was networking.k8s.io/v1beta1
        kind: Ingress
    """
    tpl = f.helm_template
    for _doc, data, kind in manifest_docs(f):
        api = data.get("apiVersion")
        line = data.line_of("apiVersion")
        if not isinstance(api, str) or api not in _REMOVED_APIS:
            continue
        if tpl is not None and line in tpl.conditional:
            continue  # a Capabilities-gated branch for old clusters
        removed, replacements = _REMOVED_APIS[api]
        new = replacements.get(kind, replacements["*"])
        yield Hit(line, f"{kind} `{api}` was removed in Kubernetes {removed}; use `{new}`")


def _security(w: Workload, c: Container, key: str) -> tuple[object, int | None, bool]:
    """(value, line, known) of a securityContext field, the container's overriding the pod's."""
    for owner in (c.data, w.pod_spec):
        if owner is None or w.gaps.hides(owner, "securityContext"):
            return None, None, False
        context = owner.get("securityContext")
        if isinstance(context, YMap) and key in context:
            value = context[key]
            return value, context.line_of(key), not is_templated(value)
        if isinstance(context, YMap) and w.gaps.may_hide_keys(context):
            return None, None, False
    return None, None, True


@rule("k8s-runs-as-root", kinds=_KINDS, category=Category.SECURITY, severity=Severity.WARNING,
      equivalents=("run-as-non-root", "runAsRootAllowed", "CKV_K8S_23"))
def runs_as_root(f: SourceFile, ctx: RuleContext) -> Iterator[Hit]:
    """Container may run as root

    Why: most images default to root; a remote-code-execution bug in the app or a dependency
    then owns the container with root rights, one kernel bug away from the node.
    `runAsNonRoot: true` makes the kubelet refuse to start a root container.

    Fix:
        spec:
          securityContext:
            runAsNonRoot: true
            runAsUser: 10001
          containers:
            - name: api
              securityContext:
                allowPrivilegeEscalation: false
    """
    for w in _index(ctx).workloads_in(f.path):
        unset: list[Container] = []
        containers = list(_regular(w))
        for c in containers:
            user, user_line, user_known = _security(w, c, "runAsUser")
            non_root, non_root_line, non_root_known = _security(w, c, "runAsNonRoot")
            if user_known and str(user) == "0" and user_line is not None:
                yield Hit(user_line, f"`{c.name}` sets `runAsUser: 0`")
            elif non_root_known and non_root is False and non_root_line is not None:
                yield Hit(non_root_line, f"`{c.name}` sets `runAsNonRoot: false`")
            elif user_known and non_root_known and non_root is None and user is None:
                unset.append(c)
        if unset and len(unset) == len(containers) and w.pod_spec is not None:
            names = ", ".join(f"`{c.name}`" for c in unset)
            line = w.pod_spec.line_of("securityContext", w.spec_line)
            yield Hit(line, f"no `runAsNonRoot: true` for {names} of {w.title}")
        else:
            for c in unset:
                yield Hit(c.line, f"`{c.name}` has no `runAsNonRoot: true`")


@rule("k8s-privileged-container", kinds=_KINDS, category=Category.SECURITY, severity=Severity.ERROR,
      equivalents=("privileged-container", "runAsPrivileged", "CKV_K8S_16"))
def privileged_container(f: SourceFile, ctx: RuleContext) -> Iterator[Hit]:
    """Container runs privileged

    Why: a privileged container has every capability and the host's devices; escaping to the
    node is trivial, so one compromised service compromises the cluster node and its secrets.

    Fix:
        securityContext:
          privileged: false
          allowPrivilegeEscalation: false
          capabilities:
            drop: ["ALL"]
            add: ["NET_BIND_SERVICE"]   # only what the process needs
    """
    for w in _index(ctx).workloads_in(f.path):
        for c in w.all_containers:
            context = c.data.get("securityContext")
            if isinstance(context, YMap) and context.get("privileged") is True:
                yield Hit(context.line_of("privileged"), f"`{c.name}` of {w.title}")
