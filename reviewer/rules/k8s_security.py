"""Kubernetes security: literal secrets in env, containers running as root or privileged."""

from __future__ import annotations

from collections.abc import Iterator

from reviewer.model import Category, Severity
from reviewer.project import SourceFile
from reviewer.rules.registry import Hit, RuleContext, Speaks, rule
from reviewer.sources import k8s_fixes as fx
from reviewer.sources.helm import is_templated
from reviewer.sources.k8s_index import index_of
from reviewer.sources.k8s_objects import Container, Workload, as_list
from reviewer.sources.k8s_workloads import KINDS, regular_containers
from reviewer.sources.local_dev import is_dev_file
from reviewer.sources.secrets import literal_secret, url_password
from reviewer.sources.yaml_docs import YMap


@rule("k8s-literal-secret-in-env", kinds=KINDS, category=Category.SECURITY, severity=Severity.ERROR,
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
    dev = Severity.WARNING if is_dev_file(f.path) else None  # a dev/, local/ or minikube/ overlay
    for w in index_of(ctx.project).workloads_in(f.path):
        for c in w.all_containers:
            items = [i for i in as_list(c.data.get("env")) if isinstance(i, YMap) and "valueFrom" not in i
                     and "value" in i and not is_templated(i["value"]) and not is_templated(i.get("name"))]
            env = {str(i.get("name", "")): i["value"] for i in items}
            for item in items:
                name, value = str(item.get("name", "")), item["value"]
                if not isinstance(value, str):
                    continue
                if url_password(value) is not None:
                    yield Hit(item.line_of("value"), f"`{name}` of `{c.name}` is a URL with a password in it",
                              severity=dev, **fx.secret_ref(w, c, name))
                elif literal_secret(name, value, env):
                    yield Hit(item.line_of("value"), f"`{name}` of `{c.name}` holds a literal value", severity=dev,
                              **fx.secret_ref(w, c, name))


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


@rule("k8s-runs-as-root", kinds=KINDS, category=Category.SECURITY, severity=Severity.WARNING,
      equivalents=("run-as-non-root", "runAsRootAllowed", "CKV_K8S_23"), speaks=Speaks.AUDIT)
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
    for w in index_of(ctx.project).workloads_in(f.path):
        unset: list[Container] = []
        containers = list(regular_containers(w))
        for c in containers:
            user, user_line, user_known = _security(w, c, "runAsUser")
            non_root, non_root_line, non_root_known = _security(w, c, "runAsNonRoot")
            if user_known and str(user) == "0" and user_line is not None:
                yield Hit(user_line, f"`{c.name}` sets `runAsUser: 0`", **fx.non_root(w, [c.name], False))
            elif non_root_known and non_root is False and non_root_line is not None:
                yield Hit(non_root_line, f"`{c.name}` sets `runAsNonRoot: false`", **fx.non_root(w, [c.name], False))
            elif user_known and non_root_known and non_root is None and user is None:
                unset.append(c)
        if unset and len(unset) == len(containers) and w.pod_spec is not None:
            names = ", ".join(f"`{c.name}`" for c in unset)
            line = w.pod_spec.line_of("securityContext", w.spec_line)
            yield Hit(line, f"no `runAsNonRoot: true` for {names} of {w.title}", **fx.non_root(w, [], True))
        else:
            for c in unset:
                yield Hit(c.line, f"`{c.name}` has no `runAsNonRoot: true`", **fx.non_root(w, [c.name], False))


@rule("k8s-privileged-container", kinds=KINDS, category=Category.SECURITY, severity=Severity.ERROR,
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
    for w in index_of(ctx.project).workloads_in(f.path):
        for c in w.all_containers:
            context = c.data.get("securityContext")
            if isinstance(context, YMap) and context.get("privileged") is True:
                yield Hit(context.line_of("privileged"), f"`{c.name}` of {w.title}", **fx.unprivileged(c))
