"""Where a service's code lives when no compose file or manifest says: the directory above the
package that holds its ``FastAPI()`` app. Apps that share a package root are told apart where
their paths part (``services/orders/main.py`` and ``services/billing/main.py``: two services);
an app beside routers per domain, or an admin app next to the main one, stays one service."""

from __future__ import annotations

import posixpath
from collections.abc import Iterable


def ancestors(paths: Iterable[str]) -> set[str]:
    """Every directory that holds one of ``paths``, at any depth ("" is the repository root)."""
    dirs: set[str] = set()
    for p in paths:
        d = posixpath.dirname(p)
        while d not in dirs:
            dirs.add(d)
            if not d:
                break
            d = posixpath.dirname(d)
    return dirs


def package_root(path: str, py_paths: set[str]) -> str:
    """The directory above the topmost package holding ``path`` (a service's working directory)."""
    d = posixpath.dirname(path)
    while d and posixpath.join(d, "__init__.py") in py_paths:
        d = posixpath.dirname(d)
    return d




def app_roots(app_files: list[str], py_paths: set[str]) -> dict[str, str]:
    """Service root -> its (first) app file, for files that each define a ``FastAPI()`` app."""
    by_root: dict[str, list[str]] = {}
    for path in app_files:
        by_root.setdefault(package_root(path, py_paths), []).append(path)
    out: dict[str, str] = {}
    for root, files in by_root.items():
        dirs = [posixpath.dirname(f) for f in files]
        common = posixpath.commonpath(dirs)
        if len(files) == 1 or common in dirs:  # one app, or one app beside the others' packages
            out.setdefault(root, files[0])
            continue
        for f in files:  # the apps part below ``common``: one service per branch
            branch = f[len(common):].lstrip("/").split("/", 1)[0]
            out.setdefault(posixpath.join(common, branch) if common else branch, f)
    return out
