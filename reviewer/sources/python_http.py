"""HTTP client configuration read from Python code: what a module sets once for all its calls."""

from __future__ import annotations

import ast

from reviewer.sources.python_ast import HTTP_VERBS, PythonModule, dotted, keyword, nodes
from reviewer.sources.python_flow import Env, Flow


def sessions_have_default_timeout(mod: PythonModule) -> bool:
    """The module gives its sessions a default timeout: a ``TimeoutHTTPAdapter``-style adapter
    (an ``HTTPAdapter`` subclass that handles ``timeout``), ``s.mount(..., Adapter(timeout=...))``,
    or ``s.request = functools.partial(s.request, timeout=...)``."""
    for node in nodes(mod, ast.ClassDef):
        if any((dotted(b) or "").endswith("HTTPAdapter") for b in node.bases) and "timeout" in ast.unparse(node):
            return True
    for node in nodes(mod, ast.Call):
        if isinstance(node.func, ast.Attribute) and node.func.attr == "mount" and any(
                isinstance(a, ast.Call) and keyword(a, "timeout") is not None for a in node.args):
            return True
    for node in nodes(mod, ast.Assign):
        if any((dotted(t) or "").endswith(".request") for t in node.targets) and isinstance(node.value, ast.Call) \
                and keyword(node.value, "timeout") is not None:
            return True
    return False


def http_receiver(fl: Flow, call: ast.Call, env: Env) -> bool:
    """``call`` is a method of an HTTP client: typed by ``python_flow``, or on a receiver named like one."""
    if fl.client_kind(call, env) is not None:
        return True
    if isinstance(call.func, ast.Attribute) and call.func.attr in HTTP_VERBS | {"request", "stream"}:
        receiver = (dotted(call.func.value) or "").rsplit(".", 1)[-1].lower()
        return any(w in receiver for w in ("session", "client", "http"))
    return False
