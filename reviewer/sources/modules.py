"""Cross-module lookup: which function of another file of the project a call refers to.

``resolver(project).function(path, mod, expr, scope)`` follows the imports of ``path``:

- relative imports (``from .clients import fetch_stock``), from the importing file's package dir;
- absolute imports (``from app.clients import fetch_stock``, ``from app import clients``,
  ``import app.clients``), matched as ``<root>/app/clients.py`` or ``<root>/app/clients/__init__.py``
  where ``<root>`` is a directory the importing file lives under (the deepest such root wins);
- names re-exported by a package ``__init__.py`` (``from .clients import fetch_stock`` there).

Anything uncertain resolves to None: a name bound twice, shadowed locally, a file and a package of
the same name, a standard-library module or a declared third-party distribution, a method or a
class. Results are cached for the run.
"""

from __future__ import annotations

import ast
import posixpath
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from reviewer.project import Project
from reviewer.sources.python_ast import FunctionNode, PythonModule

_MAX_REEXPORTS = 3
_STDLIB = frozenset(sys.stdlib_module_names)


@dataclass(frozen=True)
class Ref:
    """What an imported name stands for: ``level`` leading dots, then a dotted path."""

    level: int
    dotted: str  # "clients.fetch_stock" for ``from .clients import fetch_stock``


# A name's binding in one scope: a Ref (one import), a function defined there, or None (anything else,
# or bound more than once).
Binding = Ref | FunctionNode | None


@dataclass(frozen=True)
class Resolved:
    path: str
    module: PythonModule
    func: FunctionNode


class ModuleResolver:
    """Built once per run (``resolver(project)``); every answer is cached."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.py_paths = project.python_paths()
        self._modules: dict[tuple[str, int, str], str | None] = {}
        self._names: dict[tuple[str, str], Resolved | None] = {}

    # --- calls ------------------------------------------------------------------------------------
    def function(self, path: str, mod: PythonModule, expr: ast.AST, scope: ast.AST | None = None) -> Resolved | None:
        """The function of another project file that ``expr`` (``fetch_stock``, ``clients.fetch_stock``)
        names, as seen from ``scope`` (the function the call is in) of module ``mod`` at ``path``."""
        parts = _dotted_parts(expr)
        if parts is None:
            return None
        binding = self.binding(mod, scope, parts[0])
        if not isinstance(binding, Ref):
            return None
        ref = Ref(binding.level, ".".join(p for p in (binding.dotted, *parts[1:]) if p))
        return self.ref(path, ref)

    def ref(self, path: str, ref: Ref, hops: int = 0) -> Resolved | None:
        """The top-level function ``ref`` names, imported from the file at ``path``."""
        module, _, name = ref.dotted.rpartition(".")
        if not name:
            return None
        file = self.module_path(path, ref.level, module)
        return self.name_in(file, name, hops) if file is not None else None

    def name_in(self, file: str, name: str, hops: int = 0) -> Resolved | None:
        """The function ``name`` of the module at ``file``, following re-exports a few hops."""
        key = (file, name)
        if key in self._names:
            return self._names[key]
        self._names[key] = None  # a re-export cycle resolves to nothing
        found = None
        src = self.project.get(file)
        mod = src.python if src is not None else None
        if mod is not None:
            binding = module_bindings(mod).get(name)
            if isinstance(binding, Ref) and hops < _MAX_REEXPORTS:
                found = self.ref(file, binding, hops + 1)
            elif binding is not None and not isinstance(binding, Ref):
                found = Resolved(file, mod, binding)
        self._names[key] = found
        return found

    def variable(self, path: str, mod: PythonModule, expr: ast.AST) -> tuple[str, str] | None:
        """(file, name) of the module-level name ``expr`` (``router``, ``users.router``) stands for,
        through the imports of ``mod`` at ``path`` and re-exports; None when it is not certain."""
        parts = _dotted_parts(expr)
        if parts is None:
            return None
        binding = module_bindings(mod).get(parts[0])
        if not isinstance(binding, Ref):
            return (path, parts[0]) if len(parts) == 1 else None
        return self._variable(path, Ref(binding.level, ".".join(p for p in (binding.dotted, *parts[1:]) if p)), 0)

    def _variable(self, path: str, ref: Ref, hops: int) -> tuple[str, str] | None:
        module, _, name = ref.dotted.rpartition(".")
        file = self.module_path(path, ref.level, module) if name else None
        src = self.project.get(file) if file is not None else None
        mod = src.python if src is not None else None
        if file is None or mod is None:
            return None
        binding = module_bindings(mod).get(name)
        if isinstance(binding, Ref):
            return self._variable(file, binding, hops + 1) if hops < _MAX_REEXPORTS else None
        return file, name

    # --- modules ----------------------------------------------------------------------------------
    def module_path(self, importer: str, level: int, module: str) -> str | None:
        """The project file of ``module`` imported from ``importer``, or None when it is not certain."""
        key = (posixpath.dirname(importer), level, module)
        if key not in self._modules:
            self._modules[key] = self._module_path(key[0], level, module)
        return self._modules[key]

    def _module_path(self, base: str, level: int, module: str) -> str | None:
        parts = module.split(".") if module else []
        if level > 0:
            for _ in range(level - 1):
                if not base:
                    return None
                base = posixpath.dirname(base)
            return self._one_of(base, parts)
        from reviewer.sources.dependencies import declared_imports  # tomllib & co.: only once an import is resolved

        if not parts or parts[0] in _STDLIB or parts[0] in declared_imports(self.project, base):
            return None  # the standard library, or a distribution the project declares (redis, not redis/)
        root: str | None = base
        while root is not None:
            candidates = self._candidates(root, parts)
            if candidates:
                return candidates[0] if len(candidates) == 1 else None
            root = posixpath.dirname(root) if root else None
        return None

    def _one_of(self, base: str, parts: list[str]) -> str | None:
        candidates = self._candidates(base, parts)
        return candidates[0] if len(candidates) == 1 else None

    def _candidates(self, root: str, parts: list[str]) -> list[str]:
        stem = posixpath.join(root, *parts) if parts else root
        options = [f"{stem}/__init__.py" if stem else "__init__.py"]
        if parts:
            options.append(f"{stem}.py")
        return [p for p in options if p in self.py_paths]

    # --- names ------------------------------------------------------------------------------------
    def binding(self, mod: PythonModule, scope: ast.AST | None, name: str) -> Binding:
        """What ``name`` means inside ``scope``: its own binding there, else the module's."""
        node = scope
        while isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            local = scope_bindings(node)
            if name in local:
                return local[name]
            node = mod.parents.get(node)
            while node is not None and not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda,
                                                             ast.ClassDef, ast.Module)):
                node = mod.parents.get(node)
        return module_bindings(mod).get(name)


def resolver(project: Project) -> ModuleResolver:
    return project.memo("module-resolver", lambda: ModuleResolver(project))  # type: ignore[return-value]


def module_bindings(mod: PythonModule) -> dict[str, Binding]:
    """Module-level names: one import -> Ref, one ``def`` -> the function, anything else -> None."""
    cached = mod.__dict__.get("_arch_module_bindings")
    if cached is None:
        cached = mod.__dict__["_arch_module_bindings"] = _bindings(_scope_nodes(mod.tree))
    return cached


def scope_bindings(func: ast.AST) -> dict[str, Binding]:
    """Names a function binds itself (parameters, assignments, local imports, nested defs)."""
    cached = getattr(func, "_arch_scope_bindings", None)
    if cached is None:
        cached = _bindings(_scope_nodes(func))
        args = getattr(func, "args", None)
        if isinstance(args, ast.arguments):
            for a in [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]:
                if a is not None:
                    cached[a.arg] = None
        func._arch_scope_bindings = cached  # type: ignore[attr-defined]
    return cached


def _scope_nodes(scope: ast.AST) -> Iterator[ast.AST]:
    """Every node of ``scope``'s own code (a module or function), plus the nested defs and classes
    themselves, whose names bind here; their bodies are not entered."""
    body = getattr(scope, "body", [])
    stack = list(reversed(body)) if isinstance(body, list) else [body]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        stack.extend(reversed(list(ast.iter_child_nodes(node))))


def _bindings(nodes: Iterable[ast.AST]) -> dict[str, Binding]:
    seen: dict[str, list[Binding]] = {}
    for node in nodes:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    seen.setdefault(alias.asname, []).append(Ref(0, alias.name))
                else:
                    top = alias.name.split(".")[0]
                    seen.setdefault(top, []).append(Ref(0, top))
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if alias.name != "*":
                    dotted = f"{node.module}.{alias.name}" if node.module else alias.name
                    seen.setdefault(alias.asname or alias.name, []).append(Ref(node.level, dotted))
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            seen.setdefault(node.name, []).append(node)
        elif isinstance(node, ast.ClassDef):
            seen.setdefault(node.name, []).append(None)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            seen.setdefault(node.id, []).append(None)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            for name in node.names:
                seen.setdefault(name, []).append(None)
    return {name: (b[0] if len(b) == 1 or all(x == b[0] for x in b) else None) for name, b in seen.items()}


def _dotted_parts(node: ast.AST) -> list[str] | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return parts[::-1]
