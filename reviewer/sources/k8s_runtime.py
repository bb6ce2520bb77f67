"""What a pod does on its node and at start-up: the host paths it mounts, the schema migrations its
containers run. Values that a Helm template supplies are unknown and never reported."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from reviewer.sources.helm import is_templated
from reviewer.sources.k8s_objects import Container, Workload, as_list, as_map
from reviewer.sources.yaml_docs import YList, YMap

# what each host path hands the pod: the node (and every container on it) in all but name
_SENSITIVE = {
    "/var/run/docker.sock": "the Docker socket (root on the node)",
    "/run/docker.sock": "the Docker socket (root on the node)",
    "/run/containerd/containerd.sock": "the containerd socket (root on the node)",
    "/var/run/containerd/containerd.sock": "the containerd socket (root on the node)",
    "/var/run/crio/crio.sock": "the CRI-O socket (root on the node)",
    "/": "the node's whole filesystem",
    "/etc": "the node's configuration and credentials",
    "/root": "root's home on the node",
    "/var/lib/kubelet": "the kubelet's state, with every pod's secrets",
    "/var/lib/docker": "every container's filesystem",
    "/var/lib/containerd": "every container's filesystem",
    "/proc": "the node's processes",
    "/sys": "the node's kernel interfaces",
}
_OBSERVABLE = {"/", "/proc", "/sys"}  # node agents (node-exporter) read these read-only by design
# read-only host files pods borrow for the time zone and CA bundle: no credentials in them
_HARMLESS = ("/etc/localtime", "/etc/timezone", "/etc/ssl/certs", "/etc/pki/ca-trust", "/etc/pki/tls/certs")
_MIGRATION = re.compile(r"\balembic\b[^\n;&|]*\bupgrade\b|\bmanage\.py\s+migrate\b|\bdjango-admin\s+migrate\b"
                        r"|\bflyway\b[^\n;&|]*\bmigrate\b|\bliquibase\b[^\n;&|]*\bupdate\b"
                        r"|\byoyo\s+apply\b|\baerich\s+upgrade\b")


@dataclass(frozen=True)
class HostMount:
    volume: str
    path: str
    line: int  # the ``path:`` line
    exposes: str
    read_only: bool  # every container mounts it read-only


def _sensitive(path: str) -> str | None:
    clean = path.rstrip("/") or "/"
    if clean in _SENSITIVE:
        return _SENSITIVE[clean]
    for root in ("/etc", "/var/lib/kubelet", "/var/lib/docker", "/proc", "/sys", "/root"):
        if clean.startswith(root + "/"):
            return _SENSITIVE[root]
    return None


def _read_only(w: Workload, volume: str) -> bool:
    mounts = [m for c in w.all_containers for m in as_list(c.data.get("volumeMounts"))
              if isinstance(m, dict) and m.get("name") == volume]
    return bool(mounts) and all(m.get("readOnly") is True for m in mounts)


def sensitive_host_mounts(w: Workload) -> Iterator[HostMount]:
    if w.pod_spec is None:
        return
    for vol in as_list(w.pod_spec.get("volumes")):
        host = as_map(vol.get("hostPath")) if isinstance(vol, YMap) else None
        path = host.get("path") if host is not None else None
        if not isinstance(path, str) or is_templated(path):
            continue
        exposes = _sensitive(path)
        if exposes is not None and host is not None:
            name = str(vol.get("name", "?"))
            yield HostMount(name, path, host.line_of("path"), exposes, _read_only(w, name))


def is_observer(w: Workload, m: HostMount) -> bool:
    """A node agent reading /proc, /sys or / read-only (the node-exporter pattern), or any pod
    reading the node's time zone or CA certificates."""
    path = m.path.rstrip("/") or "/"
    if m.read_only and any(path == p or path.startswith(p + "/") for p in _HARMLESS):
        return True
    return w.kind == "DaemonSet" and m.read_only and path in _OBSERVABLE


def migration_in(text: str) -> str | None:
    """The schema-migration command in a shell command line, if it runs one."""
    m = _MIGRATION.search(text)
    return m.group(0) if m else None


def migration_line(c: Container) -> tuple[int, str] | None:
    """(line, command text) of a schema migration in the container's command or args."""
    for key in ("command", "args"):
        value = c.data.get(key)
        items = value if isinstance(value, list) else [value]
        for i, item in enumerate(items):
            if isinstance(item, str) and not is_templated(item) and (m := _MIGRATION.search(item)):
                line = value.line_at(i) if isinstance(value, YList) else c.line_of(key)
                return line, m.group(0)
        if isinstance(value, list):
            joined = " ".join(str(v) for v in value)
            if (m := _MIGRATION.search(joined)) is not None:
                return c.line_of(key), m.group(0)
    return None


def replicas(w: Workload) -> int | None:
    """The replica count written in the workload (1 when left out); None when templated."""
    spec = as_map(w.data.get("spec"))
    if spec is None or w.gaps.hides(spec, "replicas"):
        return None
    value = spec.get("replicas", 1)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def replicas_templated(w: Workload) -> bool:
    """``replicas: {{ .Values.replicaCount }}``: a chart leaves the count to each release's values."""
    spec = as_map(w.data.get("spec"))
    return spec is not None and is_templated(spec.get("replicas"))
