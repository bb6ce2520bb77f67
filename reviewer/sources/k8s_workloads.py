"""Kubernetes workloads as the k8s rules read them: which containers serve, dev overlays.

Rules that need other objects (the Service in front of a Deployment, its HPA or PDB) are file
rules on the workload's file that read the project-wide index from ``k8s_objects``. In Helm
templates a templated value is unknown and never flagged; neither is a key that template output
could have supplied.
"""

from __future__ import annotations

from collections.abc import Iterator

from reviewer.classify import FileKind
from reviewer.sources.helm import is_templated
from reviewer.sources.k8s_objects import Container, Service, Workload, as_list

KINDS = {FileKind.K8S, FileKind.HELM}
# Environment overlays where one replica is the point (kustomize overlays, values per env).
DEV_DIRS = {"dev", "development", "local", "test", "tests", "testing", "sandbox", "minikube", "kind", "e2e"}


def is_dev_path(path: str) -> bool:
    return bool(set(path.lower().split("/")[:-1]) & DEV_DIRS)


def regular_containers(w: Workload) -> Iterator[Container]:
    """Long-running containers that are whole containers (not kustomize fragments)."""
    return (c for c in w.long_running_containers if not c.is_patch)


def service_list(services: list[Service]) -> str:
    return ", ".join(f"`{s.name}`" for s in services if s.name) or "a Service"


def serving_containers(w: Workload, services: list[Service]) -> list[Container]:
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


def _port(value: object, c: Container) -> object:
    """A probe port, with a named port resolved to its number when the container declares it."""
    if isinstance(value, str) and value.isdigit():
        return int(value)
    if isinstance(value, str):
        for item in as_list(c.data.get("ports")):
            if isinstance(item, dict) and item.get("name") == value and isinstance(item.get("containerPort"), int):
                return item["containerPort"]
    return value


def probe_handler(probe: object, c: Container) -> tuple | None:
    """What a probe runs, comparable across probes: ("http", path, port, host, scheme), ("tcp", port,
    host), ("exec", *command) or ("grpc", port, service); named ports resolved. None when absent or templated."""
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


# ports a pod declares for scrapers and debuggers, not for clients (names, then well-known numbers)
_SIDE_PORT_NAMES = ("metric", "prom", "debug", "admin", "pprof", "profil", "jmx", "health", "status", "stats")
_SIDE_PORT_NUMBERS = frozenset({9090, 9091, 9100, 9102, 9113, 9121, 9187, 9216, 9253, 9404, 6060, 5005, 8125})


def traffic_ports(c: Container) -> list[str]:
    """The container's declared ports that clients call (``http (8000)``), from ``containerPort``s:
    what says a workload serves even when its Service lives in another repository."""
    out = []
    for item in as_list(c.data.get("ports")):
        if not isinstance(item, dict) or is_templated(item.get("containerPort")) or is_templated(item.get("name")):
            continue
        number, name = item.get("containerPort"), str(item.get("name") or "")
        if not isinstance(number, int) or isinstance(number, bool) or str(item.get("protocol", "TCP")) != "TCP":
            continue
        if any(side in name.lower() for side in _SIDE_PORT_NAMES) or (not name and number in _SIDE_PORT_NUMBERS):
            continue
        out.append(f"{name} ({number})" if name else str(number))
    return out


def self_serving_containers(w: Workload) -> list[tuple[Container, list[str]]]:
    """(container, its traffic ports) of a Deployment or StatefulSet that no Service here selects."""
    if w.kind not in ("Deployment", "StatefulSet"):
        return []
    return [(c, ports) for c in regular_containers(w) if (ports := traffic_ports(c))]
