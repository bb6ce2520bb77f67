"""URL templates of outbound HTTP calls, read from the code: literals kept, environment lookups as
``${VAR}`` (with their defaults), a client's ``base_url=`` joined to relative paths, anything the
code computes as ``{}``. Part of the code facts (``services.code``)."""

from __future__ import annotations

import ast

from reviewer.sources.python_ast import HTTP_CLIENTS, HTTP_VERBS, PythonModule, const_str, dotted, keyword

_HTTP_ATTRS = HTTP_VERBS | {"request", "stream"}
_HTTP_LIB_PREFIXES = ("requests.", "httpx.", "aiohttp.", "urllib.request.", "urllib3.")
_CALL_NAMES = _HTTP_ATTRS | {"urlopen"}


def _module_values(mod: PythonModule) -> dict[str, ast.AST]:
    """Module-level ``NAME = value`` assignments, computed once per module."""
    cached = mod.__dict__.get("_arch_module_values")
    if cached is None:
        cached = {}
        for node in mod.tree.body:
            if isinstance(node, ast.Assign):
                for t in node.targets:
                    if isinstance(t, ast.Name):
                        cached.setdefault(t.id, node.value)
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
                cached.setdefault(node.target.id, node.value)
        mod.__dict__["_arch_module_values"] = cached
    return cached


def _module_value(mod: PythonModule, name: str) -> ast.AST | None:
    return _module_values(mod).get(name)


def url_template(mod: PythonModule, node: ast.AST | None, seen: dict[str, bool], depth: int = 0) -> str:
    """A URL expression as text: literals kept, env lookups as ``${VAR}``, anything else ``{}``."""
    if node is None or depth > 4:
        return "{}"
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(url_template(mod, v, seen, depth + 1) for v in node.values)
    if isinstance(node, ast.FormattedValue):
        return url_template(mod, node.value, seen, depth + 1)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return url_template(mod, node.left, seen, depth + 1) + url_template(mod, node.right, seen, depth + 1)
    if isinstance(node, ast.Name) and node.id not in seen:
        value = _module_value(mod, node.id)
        if value is not None:
            return url_template(mod, value, {**seen, node.id: True}, depth + 1)
        return "{}"
    if isinstance(node, ast.Subscript):
        key = const_str(node.slice)
        if key and (dotted(node.value) or "").endswith("environ"):
            return "${" + key + "}"
    if isinstance(node, ast.Call):
        qual = mod.imports.qualify(node.func) or ""
        if qual.endswith(("getenv", "environ.get")) and node.args:
            var = const_str(node.args[0])
            if var and len(node.args) > 1:
                return "${" + var + ":-" + url_template(mod, node.args[1], seen, depth + 1) + "}"
            if var:
                return "${" + var + "}"
    if isinstance(node, ast.Attribute):
        owner = (dotted(node.value) or "").lower()
        if "settings" in owner or "config" in owner:
            return "${" + node.attr.upper() + "}"
    return "{}"


def _client_names(mod: PythonModule) -> set[str]:
    """Last names of what the module binds to an HTTP client it builds: ``app.state.inventory =
    httpx.AsyncClient(...)``, ``async with aiohttp.ClientSession() as s``; computed once per module."""
    cached = mod.__dict__.get("_arch_client_names")
    if cached is None:
        cached = set()
        builds = any(mod.imports.imports_module(m) for m in ("httpx", "requests", "aiohttp"))
        for node in mod.nodes if builds else ():
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
                pairs = [(t, node.value) for t in node.targets]
            elif isinstance(node, ast.withitem) and isinstance(node.context_expr, ast.Call) and node.optional_vars:
                pairs = [(node.optional_vars, node.context_expr)]
            else:
                continue
            for target, call in pairs:
                if (mod.imports.qualify(call.func) or "") in HTTP_CLIENTS and dotted(target):
                    cached.add((dotted(target) or "").rsplit(".", 1)[-1])
        mod.__dict__["_arch_client_names"] = cached
    return cached


def _receiver_is_http_client(mod: PythonModule, recv: ast.AST) -> bool:
    name = (dotted(recv) or "").rsplit(".", 1)[-1]
    if any(k in name.lower() for k in ("client", "http")):
        return True
    return bool(name) and name in _client_names(mod)


def _base_url(mod: PythonModule) -> str | None:
    """The single ``base_url=`` the module's HTTP clients are built with, if there is exactly one."""
    if "_arch_base_url" not in mod.__dict__:
        found = set()
        for node in mod.nodes:
            if isinstance(node, ast.Call) and (mod.imports.qualify(node.func) or "") in HTTP_CLIENTS:
                kw = keyword(node, "base_url")
                if kw is not None:
                    found.add(url_template(mod, kw.value, {}))
        mod.__dict__["_arch_base_url"] = found.pop() if len(found) == 1 else None
    return mod.__dict__["_arch_base_url"]


def http_call_url(mod: PythonModule, call: ast.Call) -> str | None:
    """The URL template of an outbound HTTP call, or None when ``call`` is not one."""
    func = call.func
    if (isinstance(func, ast.Attribute) and func.attr not in _CALL_NAMES) or (
            isinstance(func, ast.Name) and func.id not in mod.imports.names):
        return None  # most calls: asked of every call in every file the model reads
    qual = mod.imports.qualify(call.func) or ""
    is_lib = qual.startswith(_HTTP_LIB_PREFIXES) and qual.rsplit(".", 1)[-1] in _CALL_NAMES
    is_client = isinstance(call.func, ast.Attribute) and call.func.attr in _HTTP_ATTRS \
        and not is_lib and _receiver_is_http_client(mod, call.func.value)
    if not (is_lib or is_client):
        return None
    arg = call.args[1] if qual.endswith(".request") and len(call.args) > 1 else (call.args[0] if call.args else None)
    if arg is None:
        kw = keyword(call, "url")
        arg = kw.value if kw else None
    url = url_template(mod, arg, {})
    if url.startswith("/") and is_client:
        base = _base_url(mod)
        url = (base.rstrip("/") + url) if base else url
    return url
