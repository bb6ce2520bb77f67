"""Kubernetes runtime: host paths that hand a pod the node, schema migrations run by every replica."""

from __future__ import annotations

from collections.abc import Iterator

from reviewer.classify import FileKind
from reviewer.model import Category, Severity
from reviewer.project import SourceFile
from reviewer.rules.registry import Hit, RuleContext, rule
from reviewer.sources.compose import ComposeService, compose_index
from reviewer.sources.k8s_index import index_of
from reviewer.sources.k8s_runtime import (
    is_observer,
    migration_in,
    migration_line,
    replicas,
    replicas_templated,
    sensitive_host_mounts,
)
from reviewer.sources.k8s_workloads import KINDS
from reviewer.sources.yaml_docs import YMap

_SERVING = {"Deployment", "StatefulSet", "ReplicaSet", "DaemonSet"}


@rule("k8s-sensitive-host-path", kinds=KINDS, category=Category.SECURITY, severity=Severity.ERROR,
      equivalents=("sensitive-host-mounts", "docker-sock", "hostPathSet", "CKV_K8S_27"))
def sensitive_host_path(f: SourceFile, ctx: RuleContext) -> Iterator[Hit]:
    """Pod mounts a sensitive host path

    Why: a `hostPath` to the container runtime socket, `/`, `/etc`, `/var/lib/kubelet`, `/proc` or
    `/sys` gives the pod the node: through the Docker socket it can start a privileged container,
    through the kubelet's directory it reads every other pod's secrets. One bug in this service
    becomes a compromise of the node and of everything scheduled on it.

    Fix:
        # mount only what the process needs, read-only, or use the API instead of the node:
        volumes:
          - name: logs
            hostPath:
              path: /var/log/pods
              type: Directory
        # ...and in the container:
        volumeMounts:
          - name: logs
            mountPath: /var/log/pods
            readOnly: true
    """
    for w in index_of(ctx.project).workloads_in(f.path):
        for m in sensitive_host_mounts(w):
            if not is_observer(w, m):
                yield Hit(m.line, f"volume `{m.volume}` of {w.title} mounts `{m.path}`: {m.exposes}",
                          fix=f"drop the `{m.volume}` hostPath; if the pod must read the node, mount the one "
                              "subdirectory it needs with `readOnly: true` (or talk to the Kubernetes API)")


@rule("k8s-migration-in-app-pod", kinds=KINDS | {FileKind.COMPOSE}, category=Category.OPERABILITY,
      severity=Severity.WARNING)
def migration_in_app_pod(f: SourceFile, ctx: RuleContext) -> Iterator[Hit]:
    """Schema migration runs in the application's pods

    Why: every replica (and every pod the autoscaler or a rollout adds) runs the migration at
    start, at the same time: concurrent `ALTER TABLE`s deadlock or fail half-way, a slow migration
    trips the liveness probe and crash-loops the rollout, and old pods still serving see the new
    schema. A migration is a one-off step of the release, not of each pod. (A chart whose
    `replicas` comes from its values counts as replicated: the count is each release's choice.
    A compose service with `deploy.replicas` or `scale` above 1 is judged the same way, also when
    the migration is in the `CMD` of the image it builds.)

    Fix:
        apiVersion: batch/v1
        kind: Job
        metadata:
          name: orders-migrate
          annotations:
            helm.sh/hook: pre-install,pre-upgrade
            helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded
        spec:
          backoffLimit: 1
          template:
            spec:
              restartPolicy: Never
              containers:
                - name: migrate
                  image: ghcr.io/acme/orders:1.4.2
                  command: ["alembic", "upgrade", "head"]
    """
    if f.kind is FileKind.COMPOSE:
        yield from _compose_migrations(f, ctx)
        return
    idx = index_of(ctx.project)
    for w in idx.workloads_in(f.path):
        if w.kind not in _SERVING:
            continue
        count = replicas(w)
        many = (w.kind == "DaemonSet" or (count is not None and count > 1) or replicas_templated(w)
                or idx.autoscaled(w) is True)
        if not many:
            continue
        for c in w.all_containers:
            found = migration_line(c)
            if found is not None:
                line, command = found
                where = "init container" if c.init else "container"
                yield Hit(line, f"{where} `{c.name}` of {w.title} runs `{command}` in each of its replicas",
                          fix=f"move `{command}` out of {w.title} into a Job run once per release (a Helm "
                              "`pre-upgrade` hook or a pipeline step), and start the app without it")


def _compose_replicas(svc: ComposeService) -> tuple[int, int] | None:
    """(replica count, its line) when ``deploy.replicas`` or ``scale`` asks for more than one."""
    deploy = svc.deploy
    for holder, key in ((deploy, "replicas"), (svc.data, "scale")):
        value = holder.get(key) if isinstance(holder, YMap) else None
        if isinstance(value, int) and not isinstance(value, bool) and value > 1:
            return value, holder.line_of(key, svc.line)  # type: ignore[union-attr]
    return None


def _compose_migrations(f: SourceFile, ctx: RuleContext) -> Iterator[Hit]:
    index = compose_index(ctx.project)
    cf = index.files.get(f.path)
    for svc in cf.services.values() if cf is not None else []:
        many = _compose_replicas(svc)
        if many is None:
            continue
        count, line = many
        fix = (f"run the migration once, in its own service the others wait for: `{svc.name}-migrate` with the "
               f"same image and `command: alembic upgrade head`, and `depends_on: {{{svc.name}-migrate: "
               "{condition: service_completed_successfully}}` on this one")
        found = _compose_command_migration(svc)
        if found is not None:
            yield Hit(svc.key_line(found[0]), f"service `{svc.name}` runs `{found[1]}` in each of its {count} "
                                              "replicas", also=((f.path, line),), fix=fix)
            continue
        ref = index.dockerfile_of(cf, svc) if "command" not in svc.data and "entrypoint" not in svc.data else None
        image = ctx.project.get(ref.path) if ref is not None else None
        stage = image.dockerfile.stage_for(ref.target) if image is not None and ref is not None else None
        start = next((i for i in (stage.last("ENTRYPOINT"), stage.last("CMD")) if i is not None
                      and migration_in(i.args)), None) if stage is not None else None
        if start is not None and image is not None:
            yield Hit(line, f"service `{svc.name}` starts {count} replicas of an image whose "
                            f"{start.keyword} runs `{migration_in(start.args)}` ({image.path}:{start.line})",
                      also=((image.path, start.line),), fix=fix)


def _compose_command_migration(svc: ComposeService) -> tuple[str, str] | None:
    for key in ("command", "entrypoint"):
        value = svc.data.get(key)
        text = " ".join(map(str, value)) if isinstance(value, list) else str(value or "")
        if (found := migration_in(text)) is not None:
            return key, found
    return None
