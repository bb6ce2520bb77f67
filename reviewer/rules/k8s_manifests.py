"""Kubernetes manifest correctness: image tags, Service selectors, removed API versions."""

from __future__ import annotations

from collections.abc import Iterator

from reviewer.model import Category, Severity
from reviewer.project import SourceFile
from reviewer.rules.registry import Hit, RuleContext, rule
from reviewer.sources import k8s_fixes as fx
from reviewer.sources.devloop import built_here
from reviewer.sources.images import is_mutable_image
from reviewer.sources.k8s_index import index_of, pod_sources_near
from reviewer.sources.k8s_objects import manifest_docs, same_namespace, selector_matches
from reviewer.sources.k8s_workloads import KINDS


@rule("k8s-image-mutable-tag", kinds=KINDS, category=Category.OPERABILITY, severity=Severity.WARNING,
      equivalents=("latest-tag", "container-image-tag", "tagNotSpecified", "CKV_K8S_14"))
def image_mutable_tag(f: SourceFile, ctx: RuleContext) -> Iterator[Hit]:
    """Container image has no tag or uses `:latest`

    Why: the same manifest then runs different code on different nodes (each pulls whatever
    `latest` is at that moment), and a rollback redeploys the broken image. (An image the
    repository's own build loop builds and tags, with Skaffold, Tilt, Garden, compose `build:` or
    kustomize `images:`, gets its tag from that tool.)

    Fix:
        image: ghcr.io/acme/orders-api:1.14.2
        # or pinned by digest
        image: ghcr.io/acme/orders-api@sha256:4f3c...e9a1
    """
    for w in index_of(ctx.project).workloads_in(f.path):
        for c in w.all_containers:
            image = c.data.get("image")
            if not isinstance(image, str) or image.startswith("ko://") \
                    or built_here(ctx.project, image, for_manifests=True):
                continue  # the build/deploy tool sets the tag
            if image.strip() and is_mutable_image(image.strip()):
                what = "uses `:latest`" if image.strip().endswith(":latest") else "has no tag"
                yield Hit(c.data.line_of("image"), f"`{image.strip()}` {what}", **fx.pinned_image(c, image.strip()))


@rule("k8s-service-selects-nothing", kinds=KINDS, category=Category.OPERABILITY, severity=Severity.ERROR,
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
    idx = index_of(ctx.project)
    for s in idx.services_in(f.path):
        if not s.known or not s.selector:
            continue
        nearby = pod_sources_near(idx, s)
        if any(labels is None for _, labels in nearby) or not any(set(s.selector) & set(labels or {})
                                                                     for _, labels in nearby):
            continue  # the pods are defined elsewhere (another repo, an operator) or templated
        key, value = next(iter(s.selector.items()))
        if any(selector_matches(s.selector, labels) for ns, labels in idx.pod_sources_with(key, value)
               if same_namespace(ns, s.namespace) is not False):
            continue
        wanted = ", ".join(f"{k}={v}" for k, v in s.selector.items())
        elsewhere = sorted({str(ns) for ns, labels in nearby if selector_matches(s.selector, labels)})
        if elsewhere:
            yield Hit(s.selector_line, f"`{s.name}` selects {wanted} in namespace `{s.namespace}`; "
                      f"those pods are in `{', '.join(elsewhere)}`",
                      **fx.selector(s.name, s.selector, None, elsewhere[0]))
        else:
            seen = "; ".join(", ".join(f"{k}={v}" for k, v in labels.items()) for _, labels in nearby[:2] if labels)
            yield Hit(s.selector_line, f"`{s.name}` selects {wanted}, pods here have {seen}",
                      **fx.selector(s.name, s.selector, next((lb for _, lb in nearby if lb), None), None))


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


@rule("k8s-deprecated-api-version", kinds=KINDS, category=Category.OPERABILITY, severity=Severity.ERROR,
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
        yield Hit(line, f"{kind} `{api}` was removed in Kubernetes {removed}; use `{new}`",
                  **fx.api_version(f, line, api, new, kind))
