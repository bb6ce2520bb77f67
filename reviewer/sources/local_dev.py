"""What only runs on a developer's machine: compose files, Dockerfiles and manifests named or
placed for local development, and the datastore containers a compose file starts for itself.

A secret there opens a container on a laptop; it is still worth a warning (it tends to be copied
into production files), never an error.
"""

from __future__ import annotations

import re
from posixpath import basename

from reviewer.sources.compose import ComposeFile, ComposeIndex
from reviewer.sources.images import image_name, is_datastore_image

DEV_FILE = re.compile(r"(?i)(^|[.\-_])(override|dev|develop|development|local|test|tests|ci|e2e)([.\-_]|$)")
PROD_FILE = re.compile(r"(?i)(^|[.\-_])(prod|production|prd)([.\-_]|$)")
_DEPLOYED = re.compile(r"(?i)(^|[.\-_])(prod|production|prd|staging|stage|release|swarm|stack)([.\-_]|$)")
DEV_DIRS = {"dev", "development", "local", "test", "tests", "testing", "sandbox", "minikube", "kind", "e2e",
            ".devcontainer", "devcontainer", "example", "examples"}
_NOT_A_STORE = re.compile(r"exporter|commander|express|insight|admin|operator|-ui$|^ui-")


def is_dev_file(path: str) -> bool:
    """``compose.override.yml``, ``docker-compose.dev.yml``, ``Dockerfile.local``, anything under a
    ``dev/``, ``local/`` or ``.devcontainer/`` folder; never a file whose name says production."""
    name = basename(path)
    if _DEPLOYED.search(name):
        return False
    return bool(DEV_FILE.search(name)) or bool(set(path.lower().split("/")[:-1]) & DEV_DIRS)


def is_datastore(image: str | None) -> bool:
    """A database, cache or broker image (not its admin UI or exporter)."""
    return bool(image) and is_datastore_image(image) and not _NOT_A_STORE.search(image_name(image or ""))


def local_datastores(index: ComposeIndex, cf: ComposeFile) -> set[str]:
    """Services of ``cf`` that run a stock datastore image the file starts itself (no build)."""
    out = set()
    for name in cf.services:
        defs = index.definitions(cf, name)
        if not any(d.build is not None for _, d in defs) and is_datastore(index.image_of(cf, name)):
            out.add(name)
    return out


def is_local_compose(index: ComposeIndex, cf: ComposeFile) -> bool:
    """A compose file for local development: named or placed so, or one that only starts datastores."""
    if is_dev_file(cf.path):
        return True
    if _DEPLOYED.search(basename(cf.path)) or not cf.services:
        return False
    return local_datastores(index, cf) == set(cf.services)
