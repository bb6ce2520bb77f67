"""Which host names resolve where: compose services (and their aliases) on the compose network,
Kubernetes Services in the cluster. A service that runs in both is reachable by a name only when
both environments define it."""

from __future__ import annotations

from dataclasses import dataclass

from reviewer.classify import FileKind
from reviewer.project import Project
from reviewer.services.model import Service, canonical_host
from reviewer.sources.compose import ComposeService, compose_index
from reviewer.sources.k8s_index import index_of


@dataclass(frozen=True)
class Environments:
    compose: frozenset[str]  # names on the compose networks: services, hostnames, aliases
    k8s: frozenset[str] | None  # Kubernetes Service names; None when Helm templates may define more


def host_aliases(cs: ComposeService) -> set[str]:
    """Other names the service answers to on the compose network."""
    data = cs.data
    aliases = {str(data[k]) for k in ("hostname", "container_name") if isinstance(data.get(k), str)}
    networks = data.get("networks")
    for net in networks.values() if isinstance(networks, dict) else ():
        if isinstance(net, dict) and isinstance(net.get("aliases"), list):
            aliases.update(str(a) for a in net["aliases"])
    return aliases


def environments(project: Project) -> Environments:
    def build() -> Environments:
        compose = {h.lower() for cf in compose_index(project).files.values() for cs in cf.services.values()
                   for h in {cs.name, *host_aliases(cs)}}
        helm = any(True for _ in project.of_kind(FileKind.HELM))
        k8s = {s.name.lower() for s in index_of(project).services if s.name and s.file.kind is FileKind.K8S}
        return Environments(frozenset(compose), None if helm else frozenset(k8s))
    return project.memo("address-environments", build)  # type: ignore[return-value]


def unresolved_in(project: Project, caller: Service, host: str) -> str | None:
    """The environment ``caller`` runs in where ``host`` names nothing ("Kubernetes" or "compose"),
    when it runs in both and the host is a name in only one; None when the name works wherever
    the caller runs (or where we cannot know)."""
    env = environments(project)
    name = canonical_host(host)
    cluster_dns = ".svc" in host.lower()  # orders.shop.svc.cluster.local: never a compose name
    if env.k8s is None or "compose" not in caller.origins or not caller.workloads or (
            "." in host and not cluster_dns):
        return None
    in_compose, in_k8s = name in env.compose and not cluster_dns, name in env.k8s
    if in_compose and not in_k8s:
        return "Kubernetes"
    if in_k8s and not in_compose:
        return "compose"
    return None
