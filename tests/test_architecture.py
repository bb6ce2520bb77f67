"""The layout guards itself: which folder may import which, where the heavy clients are imported,
no import circle, no module over 400 lines. Read from the source with ``ast``, nothing imported."""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "reviewer"
MAX_LINES = 400

# the pure core: no I/O layer, no edge
CORE = ("reviewer.model", "reviewer.diff", "reviewer.classify", "reviewer.project", "reviewer.sources",
        "reviewer.services", "reviewer.rules", "reviewer.grouping", "reviewer.routing", "reviewer.merge",
        "reviewer.suppress",
        "reviewer.engine")
EDGES = ("reviewer.github", "reviewer.llm", "reviewer.render", "reviewer.cli", "reviewer.action",
         "reviewer.workspace")
FORBIDDEN = {
    "reviewer.sources": ("reviewer.services", "reviewer.rules", "reviewer.engine", *EDGES),
    "reviewer.services": ("reviewer.rules", "reviewer.engine", *EDGES),
    "reviewer.rules": ("reviewer.engine", *EDGES),
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _type_checking_only(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(tree: ast.AST) -> list[tuple[str, int]]:
    """(imported module, line) for every import that runs, at module level or inside a function;
    imports under ``if TYPE_CHECKING:`` are left out (they never run)."""
    out: list[tuple[str, int]] = []
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _type_checking_only(node):
            stack.extend(node.orelse)
            continue
        if isinstance(node, ast.Import):
            out.extend((a.name, node.lineno) for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.append((node.module, node.lineno))
            out.extend((f"{node.module}.{a.name}", node.lineno) for a in node.names)
        stack.extend(ast.iter_child_nodes(node))
    return out


@cache
def graph() -> dict[str, list[tuple[str, int]]]:
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    out = {}
    for name, path in modules.items():
        imported = _imports(ast.parse(path.read_text(encoding="utf-8")))
        out[name] = [(m, line) for m, line in imported if m in modules or not m.startswith("reviewer")]
    return out


def _within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def test_layers_import_only_downwards():
    wrong = []
    for module, imports in graph().items():
        for layer, banned in FORBIDDEN.items():
            if _within(module, layer):
                wrong += [f"{module}:{line} imports {m}" for m, line in imports
                          if any(_within(m, b) for b in banned)]
    assert wrong == []


def test_the_core_does_no_io_of_its_own():
    wrong = [f"{module}:{line} imports {m}" for module, imports in graph().items()
             if any(_within(module, c) for c in CORE) and module != "reviewer.engine"
             for m, line in imports
             if m in ("subprocess", "socket", "urllib.request") or _within(m, "reviewer.workspace")]
    assert wrong == []


def test_only_github_imports_pygithub_and_only_the_client_imports_anthropic():
    wrong = []
    for module, imports in graph().items():
        for m, line in imports:
            if _within(m, "github") and not _within(module, "reviewer.github"):
                wrong.append(f"{module}:{line} imports {m}")
            if _within(m, "anthropic") and module != "reviewer.llm.anthropic_client":
                wrong.append(f"{module}:{line} imports {m}")
    assert wrong == []


def test_no_import_circle():
    edges = {m: {i for i, _ in imports if i in graph()} - {m} for m, imports in graph().items()}
    # a package's __init__ is not a step of a circle through its own modules
    edges = {m: {i for i in targets if not m.startswith(i + ".")} for m, targets in edges.items()}
    circles, state = [], {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = "open"
        for nxt in sorted(edges[node]):
            if state.get(nxt) == "open":
                circles.append(" -> ".join([*path[path.index(nxt):], nxt]))
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = "done"

    for start in sorted(edges):
        if start not in state:
            visit(start, [start])
    assert circles == []


def test_no_module_over_400_lines():
    long = {str(p.relative_to(PACKAGE.parent)): n for p in PACKAGE.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}


def test_the_guard_sees_a_circle_and_a_wrong_layer(tmp_path):
    """The checks above are only worth something if they can fail."""
    pkg = tmp_path / "reviewer"
    (pkg / "sources").mkdir(parents=True)
    (pkg / "rules").mkdir()
    for p in (pkg / "__init__.py", pkg / "sources" / "__init__.py", pkg / "rules" / "__init__.py"):
        p.write_text("")
    (pkg / "sources" / "a.py").write_text("from reviewer.rules.b import x\n")
    (pkg / "rules" / "b.py").write_text("from reviewer.sources.a import y\nimport github\n")
    globals()["PACKAGE"] = pkg
    graph.cache_clear()
    try:
        for check in (test_layers_import_only_downwards, test_no_import_circle,
                      test_only_github_imports_pygithub_and_only_the_client_imports_anthropic):
            try:
                check()
            except AssertionError:
                continue
            raise AssertionError(f"{check.__name__} did not fail on a bad tree")
    finally:
        globals()["PACKAGE"] = Path(__file__).resolve().parents[1] / "reviewer"
        graph.cache_clear()
