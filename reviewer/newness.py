"""What a pull request introduces: which head findings are new, and whether a change can move
the cross-file rules at all. Pure: it compares findings and parsed files, nothing else.

Identity never uses the line number. A head finding of a file rule is already there when the
base has one of the same rule in the same file (after a rename) with the same normalised anchor
code, or with the same title (its subject: the container, the call, the service), so a digest bump
on a ``FROM`` line or an edit of the flagged line does not make an old finding new. A project
finding (shared database, call cycle, API break) is matched on its title with line references
removed: its subject, a pair of services or an edge. Each base finding vouches for one head
finding; head findings on changed lines are matched last, so they are the ones left over as new.
Without a base tree the fallback is reviewdog's ``added`` filter: a finding is new when its line
was added, and audit-only rules speak only in added files.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from reviewer.classify import FileKind, is_test_path
from reviewer.diff import ChangeSet, FileStatus
from reviewer.model import Finding, normalise_code, normalise_subject
from reviewer.project import Project, SourceFile

# kinds whose change always feeds the service model and the cross-file rules
_DECLARATIONS = {FileKind.COMPOSE, FileKind.K8S, FileKind.HELM, FileKind.ENV, FileKind.DOCKERFILE}
# calls that never reach the service model: logging, printing, builtins over values
_QUIET_CALLS = re.compile(r"^(log|logger|logging|_log|_logger|print|len|str|int|float|bool|dict|list|set|tuple|"
                          r"isinstance|getattr|setattr|hasattr|sorted|min|max|sum|any|all|range|enumerate|zip|"
                          r"super|repr|format)(\.|$)")


class Comparison:
    BASE = "compared with the base branch: only findings this change introduces are listed"
    ADDED_LINES = "no base tree at hand: only findings on lines this change added are listed"


@dataclass
class Split:
    new: list[Finding] = field(default_factory=list)
    pre_existing: list[Finding] = field(default_factory=list)  # in the touched files, already there


def subject(f: Finding) -> str:
    """The finding's subject: its title without line references (the container, the call, the pair
    of services), which a digest bump or an edit of the flagged line leaves alone."""
    return normalise_subject(f.title)


def _on_changed_line(f: Finding, changes: ChangeSet) -> bool:
    change = changes.get(f.path)
    return change is not None and (change.status is FileStatus.ADDED or change.is_changed_line(f.line))


def split_new(head: Iterable[Finding], base: Iterable[Finding] | None, changes: ChangeSet,
              project_rules: set[str]) -> Split:
    """Head findings the change introduces, and those that were already there.

    ``base`` None: no base tree, so only findings on added lines are new."""
    out = Split()
    head = sorted(head, key=lambda f: (_on_changed_line(f, changes), f.path, f.line))
    if base is None:
        for f in head:
            (out.new if _on_changed_line(f, changes) else out.pre_existing).append(f)
        return _sorted(out)
    renamed = {c.old_path: p for p, c in changes.files.items() if c.old_path and c.old_path != p}
    unused: dict[tuple[str, str], list[Finding]] = defaultdict(list)  # (rule, head path) -> base findings
    for f in base:
        path = "" if f.rule_id in project_rules else renamed.get(f.path, f.path)
        unused[(f.rule_id, path)].append(f)
    for f in head:
        project = f.rule_id in project_rules
        pool = unused.get((f.rule_id, "" if project else f.path), [])
        match = next((b for b in pool if subject(b) == subject(f) or (
            not project and normalise_code(b.anchor_text) == normalise_code(f.anchor_text))), None)
        if match is None:
            out.new.append(f)
        else:
            pool.remove(match)
            out.pre_existing.append(f)
    return _sorted(out)


def _sorted(split: Split) -> Split:
    split.new.sort(key=lambda f: f.sort_key)
    split.pre_existing.sort(key=lambda f: f.sort_key)
    return split


def in_added_file(f: Finding, changes: ChangeSet) -> bool:
    """Without a base, an object is surely the change's own only when its whole file is new."""
    change = changes.get(f.path)
    return change is not None and change.status is FileStatus.ADDED


def model_inputs_changed(changes: ChangeSet, head: Project, base: Project | None) -> bool:
    """Whether the change can move the service model (and so the cross-file rules' findings).

    A declaration file (compose, manifests, Dockerfiles, .env) always can. A Python file can
    only through what the model reads of it (routes, routers, imports, models, URL and DSN
    literals, the calls its functions make); an edit that keeps that signature (a comment, a
    docstring, a log line, a test) cannot. Without a base, every changed file counts."""
    for path, change in changes.files.items():
        old = change.old_path or path
        h, b = head.get(path), base.get(old) if base is not None else None
        kinds = {f.kind for f in (h, b) if f is not None}
        if not kinds and change.status is FileStatus.REMOVED and base is None:
            return True  # a removed file we cannot see any more
        if kinds & _DECLARATIONS:
            return True
        if FileKind.DEPENDENCIES in kinds and (base is None or _distributions(h) != _distributions(b)):
            return True  # a version bump keeps the set of distributions: nothing to re-judge
        if FileKind.PYTHON in kinds and (base is None or model_signature(h) != model_signature(b)):
            return True
    return False


def api_changed(changes: ChangeSet, head: Project, base: Project | None) -> bool:
    """Whether a changed Python file's API surface moved: its decorated functions' signatures,
    its classes' fields and members. Otherwise the API compatibility rules cannot find anything,
    and they need not read every Python file of both sides to learn so."""
    for path, change in changes.files.items():
        h, b = head.get(path), base.get(change.old_path or path) if base is not None else None
        if FileKind.PYTHON in {f.kind for f in (h, b) if f is not None} and api_signature(h) != api_signature(b):
            return True
    return False


def api_signature(f: SourceFile | None) -> str:
    if f is None or is_test_path(f.path) or f.python is None:
        return ""
    return "\n".join(line for node in f.python.tree.body for line in _api_lines(node))


def _api_lines(node: ast.stmt) -> list[str]:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        if not node.decorator_list:
            return []
        returns = ast.unparse(node.returns) if node.returns else ""
        return [f"{[ast.unparse(d) for d in node.decorator_list]} {node.name}({ast.unparse(node.args)}) -> {returns}"]
    if isinstance(node, ast.ClassDef):
        inner = [line for stmt in node.body for line in _api_lines(stmt)]
        fields = [ast.unparse(stmt) for stmt in node.body if isinstance(stmt, (ast.AnnAssign, ast.Assign))]
        return [f"class {node.name}{[ast.unparse(b) for b in [*node.bases, *node.keywords]]}", *fields, *inner]
    if isinstance(node, (ast.Assign, ast.AnnAssign)):
        return [ast.unparse(node)]  # routers and their prefixes, Literal aliases
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call) and isinstance(node.value.func, ast.Attribute) \
            and node.value.func.attr in ("include_router", "mount", "add_api_route"):
        return [ast.unparse(node)]  # where routers are mounted, and under which prefix
    return []


def _distributions(f: SourceFile | None) -> set[str]:
    from reviewer.sources.dependencies import declared  # a dependency file changed: rare, so loaded then

    return declared(f.path, f.text) if f is not None else set()


def model_signature(f: SourceFile | None) -> str:
    """What the service model and the cross-file rules can read of one Python file, as text."""
    if f is None or is_test_path(f.path):
        return ""
    mod = f.python
    if mod is None:
        return f"unparsed:{hash(f.text)}"
    parts: list[str] = []
    for node in mod.tree.body:
        parts.extend(_signature(node))
    urls = sorted({n.value for n in mod.nodes if isinstance(n, ast.Constant) and isinstance(n.value, str)
                   and "://" in n.value})
    return "\n".join([*parts, *urls])


def _signature(node: ast.stmt) -> list[str]:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        head = [ast.unparse(d) for d in node.decorator_list]
        calls = sorted({_call_key(n, name) for n in ast.walk(node) if isinstance(n, ast.Call)
                        and (name := _call_name(n)) and not _QUIET_CALLS.match(name)})
        kind = "async def" if isinstance(node, ast.AsyncFunctionDef) else "def"
        returns = ast.unparse(node.returns) if node.returns else ""
        return [f"{kind} {node.name}({ast.unparse(node.args)}) -> {returns} @{head} calls {calls}"]
    if isinstance(node, ast.ClassDef):
        inner = [line for stmt in node.body for line in _signature(stmt)]
        bases = [ast.unparse(b) for b in [*node.bases, *node.keywords]]
        return [f"class {node.name}{bases}", *(f"  {line}" for line in inner)]
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
        return []  # a docstring
    return [ast.unparse(node)]


def _call_key(call: ast.Call, name: str) -> str:
    """The call, with its first argument when that reads as a URL or a path (``client.get(f"{BASE}/
    orders")``): a call retargeted to another service or route moves the call graph."""
    arg = call.args[0] if call.args else None
    if isinstance(arg, ast.JoinedStr) or (isinstance(arg, ast.Constant) and isinstance(arg.value, str) and (
            arg.value.startswith("/") or "://" in arg.value or "{" in arg.value)):
        return f"{name}({ast.unparse(arg)})"
    return name


def _call_name(call: ast.Call) -> str:
    parts: list[str] = []
    node: ast.AST = call.func
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    elif isinstance(node, ast.Call):
        parts.append(_call_name(node) + "()")
    return ".".join(reversed(parts))
