"""Python source helpers for rules: imports, qualified call names, FastAPI routes, Depends targets.

Pure ``ast``; no code is imported or run.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property

HTTP_VERBS = frozenset({"get", "post", "put", "patch", "delete", "options", "head", "trace"})
# Constructors of pooled HTTP clients, qualified as imported; httpx's and aiohttp's must be closed
HTTPX_CLIENTS = frozenset({"httpx.Client", "httpx.AsyncClient"})
CLOSABLE_CLIENTS = HTTPX_CLIENTS | {"aiohttp.ClientSession"}
HTTP_CLIENTS = CLOSABLE_CLIENTS | {"requests.Session", "requests.session", "requests.sessions.Session"}

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef


# PEP 758 (Python 3.14): `except A, B:` without parentheses. Older interpreters' ast rejects it; the
# same clause with parentheses means the same thing, so it is rewritten in place (lines unchanged).
_BARE_EXCEPT_LIST = re.compile(r"^(?P<lead>[ \t]*except\*?)[ \t]+(?P<types>[^\n():#=]+?,[^\n():#=]+?)[ \t]*:",
                               re.MULTILINE)


# CPython's own parser refuses more than 200 nested parentheses; past about 300 levels of any other
# nesting (`- - - 1`, `a + b + ...`, lambdas) ast.unparse and recursive visitors in rules overflow
# the default limit of 1000 frames, so such a file is one parse error rather than a failed rule.
MAX_AST_DEPTH = 200


def parse_python(text: str, path: str) -> ast.Module:
    """``ast.parse``, also accepting Python 3.14's unparenthesized ``except`` lists on older Pythons.

    Raises SyntaxError, or ValueError for input too deeply nested to parse or to walk: the parser
    itself gives up on deep nesting with RecursionError or MemoryError, neither of which may reach
    a rule."""
    try:
        tree = _parse(text, path)
    except (RecursionError, MemoryError) as exc:
        raise ValueError(f"nested too deeply for Python's parser ({type(exc).__name__})") from None
    tree._arch_nodes = _nodes_within_depth(tree)  # type: ignore[attr-defined]
    return tree


def _parse(text: str, path: str) -> ast.Module:
    try:
        return ast.parse(text, filename=path)
    except SyntaxError as exc:
        if "parenthesized" not in (exc.msg or "") or not _BARE_EXCEPT_LIST.search(text):
            raise
        first = exc
    try:
        return ast.parse(_BARE_EXCEPT_LIST.sub(r"\g<lead> (\g<types>):", text), filename=path)
    except SyntaxError:
        raise first from None


def _nodes_within_depth(tree: ast.AST) -> list[ast.AST]:
    """Every node in ``ast.walk`` order (breadth first), one level at a time, so the walk that
    PythonModule.nodes needs anyway also measures the depth; ValueError past MAX_AST_DEPTH."""
    out, level, depth = [tree], [tree], 1
    children = ast.iter_child_nodes
    while level:
        level = [child for node in level for child in children(node)]
        depth += 1
        if level and depth > MAX_AST_DEPTH:
            line = getattr(level[0], "lineno", None)
            where = f" (line {line})" if line else ""
            raise ValueError(f"nested more than {MAX_AST_DEPTH} levels deep{where}")
        out.extend(level)
    return out


def dotted(node: ast.AST) -> str | None:
    """``a.b.c`` for a Name/Attribute chain, else None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


@dataclass
class ImportMap:
    """Local name -> fully qualified name, from the module's import statements."""

    names: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, tree: ast.AST, nodes: list[ast.AST] | None = None) -> ImportMap:
        names: dict[str, str] = {}
        for node in nodes if nodes is not None else ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        names[alias.asname] = alias.name
                    else:
                        top = alias.name.split(".")[0]
                        names[top] = top
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for alias in node.names:
                    names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        return cls(names)

    def qualify(self, node: ast.AST) -> str | None:
        """``requests.get`` for ``rq.get`` after ``import requests as rq``; the raw dotted name
        when its head was not imported (a local variable such as ``client.get``)."""
        name = dotted(node)
        if name is None:
            return None
        head, _, rest = name.partition(".")
        if head in self.names:
            return self.names[head] + ("." + rest if rest else "")
        return name

    def imports_module(self, prefix: str) -> bool:
        return any(q == prefix or q.startswith(prefix + ".") for q in self.names.values())


def keyword(call: ast.Call, name: str) -> ast.keyword | None:
    for kw in call.keywords:
        if kw.arg == name:
            return kw
    return None


def has_star_kwargs(call: ast.Call) -> bool:
    return any(kw.arg is None for kw in call.keywords)


def const_str(node: ast.AST | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def is_const(node: ast.AST | None, value: object) -> bool:
    return isinstance(node, ast.Constant) and node.value is value


def cached_walk(node: ast.AST, attr: str, walk: Callable[[ast.AST], Iterator[ast.AST]]) -> Iterator[ast.AST]:
    """``walk(node)``, computed once and kept on the node itself (it lives exactly as long as the
    tree): several rules walk every handler, and the walks dominated rule time on big trees."""
    cached = getattr(node, attr, None)
    if cached is None:
        cached = list(walk(node))
        setattr(node, attr, cached)
    return iter(cached)


def walk_own_body(func: ast.AST) -> Iterator[ast.AST]:
    """Every node inside ``func``'s body, but not inside nested functions, lambdas or classes
    (their code runs at another time, often in a thread)."""
    return cached_walk(func, "_arch_own_body", _walk_own_body)


def _walk_own_body(func: ast.AST) -> Iterator[ast.AST]:
    nested = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
    stack = [n for n in reversed(getattr(func, "body", [])) if not isinstance(n, nested)]
    while stack:
        node = stack.pop()
        yield node
        for child in reversed(list(ast.iter_child_nodes(node))):
            if isinstance(child, nested):
                continue
            stack.append(child)


@dataclass
class PythonModule:
    """A parsed module with the lookups rules keep asking for, computed once."""

    path: str
    tree: ast.Module

    @cached_property
    def imports(self) -> ImportMap:
        return ImportMap.of(self.tree, self.nodes)

    @cached_property
    def functions(self) -> dict[str, FunctionNode]:
        """Module-level functions (and methods, last one wins) by name."""
        out: dict[str, FunctionNode] = {}
        for node in self.nodes:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                out.setdefault(node.name, node)
        return out

    @cached_property
    def nodes(self) -> list[ast.AST]:
        """Every node in ``ast.walk`` order, walked once (by parse_python): rules ask for it again and again."""
        walked = getattr(self.tree, "_arch_nodes", None)
        return walked if walked is not None else list(ast.walk(self.tree))

    @cached_property
    def parents(self) -> dict[ast.AST, ast.AST]:
        parents: dict[ast.AST, ast.AST] = {}
        for node in self.nodes:
            for child in ast.iter_child_nodes(node):
                parents[child] = node
        return parents

    def is_awaited(self, node: ast.AST) -> bool:
        return isinstance(self.parents.get(node), ast.Await)


def imported_name(mod: PythonModule, node: ast.AST) -> str | None:
    """The qualified name of ``node`` only when its head comes from an import (not a local variable)."""
    name = dotted(node)
    if name is None or name.split(".", 1)[0] not in mod.imports.names:
        return None
    return mod.imports.qualify(node)


def nodes(mod: PythonModule, *types: type[ast.AST]) -> list[ast.AST]:
    """Every node of the given types, from one cached walk of the module (rules ask often)."""
    index = mod.__dict__.get("_by_type")
    if index is None:
        index = {}
        for node in mod.nodes:
            index.setdefault(type(node), []).append(node)
        mod.__dict__["_by_type"] = index
    return [n for t in types for n in index.get(t, ())]


def local_imports(mod: PythonModule) -> set[str]:
    """Names bound by relative imports (``from .db import SessionLocal``), which ImportMap leaves out."""
    cached = mod.__dict__.get("_relative_imports")
    if cached is None:
        cached = mod.__dict__["_relative_imports"] = {
            alias.asname or alias.name for node in nodes(mod, ast.ImportFrom) if node.level > 0
            for alias in node.names}
    return cached


SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


def own_nodes(scope: ast.AST) -> Iterator[ast.AST]:
    """Nodes that run as part of ``scope`` (a module, class, function or lambda body), not in nested
    scopes. A nested def's decorators and defaults run in the enclosing scope, so they are included."""
    return cached_walk(scope, "_arch_own_nodes", _own_nodes)


def _own_nodes(scope: ast.AST) -> Iterator[ast.AST]:
    body = getattr(scope, "body", None)
    stack = list(reversed(body)) if isinstance(body, list) else [body] if body is not None else []
    while stack:
        node = stack.pop()
        if isinstance(node, SCOPES):
            stack.extend(reversed(_enclosing_parts(node)))
            continue
        yield node
        stack.extend(reversed(list(ast.iter_child_nodes(node))))


def _enclosing_parts(node: ast.AST) -> list[ast.AST]:
    parts: list[ast.AST] = list(getattr(node, "decorator_list", []))
    args = getattr(node, "args", None)
    if isinstance(args, ast.arguments):
        parts += [*args.defaults, *(d for d in args.kw_defaults if d is not None)]
    if isinstance(node, ast.ClassDef):
        parts += [*node.bases, *node.keywords]
    return parts
