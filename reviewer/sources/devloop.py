"""Images the repository's own build loop builds and tags: their manifests name them without a tag
because the tool supplies one (a content hash, a git SHA) at deploy time.

Read from Skaffold ``build.artifacts`` (profiles too) and kustomize ``images:`` rewrites (both in
the Kubernetes index), Tilt ``docker_build``/``custom_build`` calls in a Tiltfile, Garden
``kind: Build`` / ``type: container`` actions and modules, and compose services that ``build:``
the ``image:`` they name.
"""

from __future__ import annotations

import re

from reviewer.classify import FileKind
from reviewer.project import Project, SourceFile
from reviewer.sources.compose import compose_index
from reviewer.sources.images import image_tag
from reviewer.sources.k8s_index import index_of
from reviewer.sources.yaml_docs import YMap, get_path

# docker_build('ghcr.io/acme/orders', 'orders'), custom_build(ref='orders', ...), docker_build_with_restart(...)
_TILT_BUILD = re.compile(r"""\b(?:docker_build|custom_build|docker_build_with_restart)\(\s*"""
                         r"""(?:ref\s*=\s*)?['"]([^'"]+)['"]""")


def repository(ref: str) -> str:
    """``ghcr.io/acme/orders:1.2@sha256:..`` -> ``ghcr.io/acme/orders`` (the name without tag or digest)."""
    name = ref.strip().split("@", 1)[0]
    last = name.rsplit("/", 1)[-1]
    return name[: len(name) - len(last)] + last.split(":", 1)[0] if ":" in last else name


def built_images(project: Project, for_manifests: bool = False) -> frozenset[str]:
    """Repository names (no tag) of every image the repository's build loop builds. For Kubernetes
    manifests, compose counts only where it builds the untagged (``:latest``) image a local cluster
    runs: compose building ``orders:1.4.2`` does not make a Deployment's ``orders:latest`` safe."""
    def build() -> frozenset[str]:
        names = set(index_of(project).rewritten_images)
        for f in project.of_kind(FileKind.DEVLOOP):
            names |= set(_TILT_BUILD.findall(f.text)) if not f.path.endswith((".yml", ".yaml")) else _garden(f)
        for cf in compose_index(project).files.values():
            names |= {svc.image for svc in cf.services.values() if svc.image and svc.build is not None
                      and (not for_manifests or image_tag(svc.image) in (None, "latest"))}
        return frozenset(repository(n) for n in names if "$" not in n and "{" not in n)
    return project.memo(f"dev-loop-images:{for_manifests}", build)  # type: ignore[return-value]


def _garden(f: SourceFile) -> set[str]:
    out = set()
    for doc in f.yaml_docs:
        data = doc.data
        if not isinstance(data, YMap) or data.get("type") != "container" or data.get("kind") not in ("Build", "Module"):
            continue
        for value in (data.get("name"), data.get("image"), get_path(data, "spec", "localId"),
                      get_path(data, "spec", "publishId")):
            if isinstance(value, str):
                out.add(value)
    return out


def built_here(project: Project, image: str, for_manifests: bool = False) -> bool:
    """The repository's build loop builds and tags ``image``: there is no tag to pin in its manifests."""
    return repository(image) in built_images(project, for_manifests)
