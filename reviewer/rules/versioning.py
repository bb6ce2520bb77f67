"""API versioning, base -> head: a version prefix taken off routes that clients already call."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from reviewer.classify import FileKind, is_test_path
from reviewer.model import Category, Severity
from reviewer.rules.registry import Hit, RuleContext, Scope, Speaks, rule
from reviewer.sources.python_ast import PythonModule, const_str, dotted, keyword, nodes

_VERSION = re.compile(r"(^|/)v\d+(\.\d+)?(?=/|$)")


def prefixes(mod: PythonModule) -> dict[str, tuple[str, int]]:
    """Where routes get their prefix: ``router = APIRouter(prefix=...)`` by variable and
    ``app.include_router(r, prefix=...)`` by router; an absent prefix is ``""``."""
    out: dict[str, tuple[str, int]] = {}
    for node in nodes(mod, ast.Assign):
        value = node.value  # type: ignore[attr-defined]
        if isinstance(value, ast.Call) and (dotted(value.func) or "").endswith("APIRouter"):
            kw = keyword(value, "prefix")
            text = const_str(kw.value) if kw is not None else ""
            for t in node.targets:  # type: ignore[attr-defined]
                if isinstance(t, ast.Name) and text is not None:
                    out[f"router {t.id}"] = (text, value.lineno)
    for call in nodes(mod, ast.Call):
        if isinstance(call.func, ast.Attribute) and call.func.attr == "include_router" and call.args:
            kw = keyword(call, "prefix")
            text = const_str(kw.value) if kw is not None else ""
            if text is not None:
                out[f"include {ast.unparse(call.args[0])}"] = (text, call.lineno)
    return out


@rule("api-version-prefix-removed", category=Category.API, severity=Severity.ERROR, scope=Scope.PROJECT,
      speaks=Speaks.REVIEW)
def version_prefix_removed(ctx: RuleContext) -> Iterator[Hit]:
    """API version prefix removed from released routes

    Why: clients call `/v1/...`; once the prefix is gone every one of those calls gets 404, all at
    once, and the version that was meant to let the API change without breaking them is gone
    too. Keep the released version mounted next to the new paths until its traffic is gone.

    Fix:
        app.include_router(orders.router, prefix="/v1")  # released: kept until clients move
        app.include_router(orders.router, prefix="/v2")  # the new paths
    """
    if ctx.base is None:
        return
    pairs = ({p: c.old_path or p for p, c in ctx.changes.files.items()} if ctx.changes is not None
             else {f.path: f.path for f in ctx.project.of_kind(FileKind.PYTHON)})
    for path, old_path in pairs.items():
        head, base = ctx.project.get(path), ctx.base.get(old_path)
        if head is None or base is None or head.kind is not FileKind.PYTHON or is_test_path(path):
            continue
        if head.python is None or base.python is None or "prefix" not in base.text:
            continue
        before, after = prefixes(base.python), prefixes(head.python)
        versions_after = {m.group(0).strip("/") for text, _ in after.values() if (m := _VERSION.search(text))}
        for key, (old, _) in before.items():
            m = _VERSION.search(old)
            if m is None or key not in after or _VERSION.search(after[key][0]):
                continue
            if m.group(0).strip("/") in versions_after:
                continue  # the version is still mounted through another router or include
            new, line = after[key]
            what = key.split(" ", 1)[1]
            yield Hit(line, f"`{what}` prefix `{old}` is now `{new or '(none)'}`", path=path,
                      fix=f"# keep the released prefix mounted while clients move\n"
                          f"app.include_router({what}, prefix=\"{old}\")")
