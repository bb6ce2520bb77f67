"""Rules as declared units. The registry is the one source of the catalog (CLI, docs, SARIF).

A rule is a function decorated with ``@rule``. Its docstring holds the title (first line), a
``Why:`` section and a ``Fix:`` section with a concrete snippet; registration fails at import
when either is missing or the id repeats. Rules yield ``Hit``s; the engine adds id, severity and
category, so a rule cannot misstate its own metadata.
"""

from __future__ import annotations

import importlib
import inspect
import re
import textwrap
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import TYPE_CHECKING

from reviewer.classify import FileKind
from reviewer.model import Category, Severity

if TYPE_CHECKING:
    from reviewer.config import ConventionSettings
    from reviewer.diff import ChangeSet
    from reviewer.project import Project, SourceFile


class Speaks(StrEnum):
    """Where a rule's findings are posted. Hygiene true of most repositories speaks in audits, and
    in a review only about an object the PR introduces (a new service, a new Deployment)."""

    ALWAYS = "review, audit"
    AUDIT = "audit"  # in a review: only when the PR adds the object the finding is about
    REVIEW = "review"  # only about a change (API compatibility needs a base)


class Scope(StrEnum):
    FILE = "file"  # check(f: SourceFile, ctx: RuleContext), run on each target file of its kinds
    PROJECT = "project"  # check(ctx: RuleContext), run once over the whole tree (cross-file)


@dataclass(frozen=True)
class Hit:
    """Where a rule fired. ``path`` defaults to the file being checked (FILE scope)."""

    line: int
    detail: str = ""
    path: str | None = None
    end_line: int | None = None
    severity: Severity | None = None  # only where the catalog grades by context (E in a route)
    also: tuple[tuple[str, int], ...] = ()  # other ends of a cross-file finding: (path, line)
    fix: str | None = None  # a fix built from this hit's own names; None: the rule's example
    suggestion: str | None = None  # replacement text for line..end_line, when the fix is local and mechanical


@dataclass
class RuleContext:
    """What a rule may look at: the head tree, the base tree when the run has one, the change."""

    project: Project
    base: Project | None = None
    changes: ChangeSet | None = None
    targets: frozenset[str] | None = None  # None: every file (an audit); else the changed files
    service_roots: tuple[str, ...] = ()
    conventions: ConventionSettings | None = None  # the config's ``conventions:`` (None: defaults)


@dataclass(frozen=True)
class Rule:
    id: str
    category: Category
    severity: Severity
    kinds: frozenset[FileKind]
    scope: Scope
    title: str
    why: str
    fix: str
    check: Callable[..., Iterable[Hit]] = field(compare=False, repr=False)
    equivalents: tuple[str, ...] = ()  # peer ids whose pragmas we honour (S113, CKV_K8S_9, DL3025)
    module: str = ""
    speaks: Speaks = Speaks.ALWAYS
    reads_model: bool = False  # a file rule that asks the service model (who owns a path, which hosts exist)

    @property
    def cross_file(self) -> bool:
        """Its findings can change when files other than the flagged one change."""
        return self.scope is Scope.PROJECT or self.reads_model


REGISTRY: dict[str, Rule] = {}
_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)+$")


class RuleDefinitionError(Exception):
    pass


def _sections(doc: str, rule_id: str) -> tuple[str, str, str]:
    doc = inspect.cleandoc(doc)
    m = re.search(r"^Why:\s*(.*?)^Fix:\s*?\n?(.*)\Z", doc, re.S | re.M)
    if not m:
        raise RuleDefinitionError(f"rule {rule_id}: docstring needs a 'Why:' and a 'Fix:' section")
    title = doc[: m.start()].strip()
    why = " ".join(m.group(1).split())
    fix = textwrap.dedent(m.group(2)).strip("\n")
    if not title or not why or not fix:
        raise RuleDefinitionError(f"rule {rule_id}: title, Why: and Fix: must all be non-empty")
    return " ".join(title.split()), why, fix


def _applicable(hit: Hit, ctx: RuleContext, path: str | None) -> Hit:
    """The hit, without its suggestion where one cannot be applied as written: a range outside the
    file, templated Helm lines, or (in a review) lines that no single hunk shows, where GitHub would
    put the comment on one line and the suggestion would replace only that line."""
    if hit.suggestion is None:
        return hit
    last = hit.end_line or hit.line
    f = ctx.project.get(hit.path or path or "")
    ok = f is not None and 0 < hit.line <= last <= len(f.lines)
    if ok and f is not None and f.kind is FileKind.HELM:
        ok = not any("{{" in f.line_text(n) for n in range(hit.line, last + 1))
    if ok and f is not None and ctx.changes is not None and last > hit.line:
        change = ctx.changes.get(f.path)
        ok = change is not None and change.in_one_hunk(hit.line, last)
    return hit if ok else replace(hit, suggestion=None)


def _checked(fn: Callable[..., Iterable[Hit]], scope: Scope) -> Callable[..., Iterable[Hit]]:
    """``fn`` whose hits carry only suggestions that can be applied (see ``_applicable``)."""
    if scope is Scope.PROJECT:
        def project_check(ctx: RuleContext) -> Iterator[Hit]:
            return (_applicable(hit, ctx, None) for hit in fn(ctx))
        return project_check

    def file_check(f: SourceFile, ctx: RuleContext) -> Iterator[Hit]:
        return (_applicable(hit, ctx, f.path) for hit in fn(f, ctx))
    return file_check


def rule(rule_id: str, *, category: Category, severity: Severity, kinds: Iterable[FileKind] = (),
         scope: Scope = Scope.FILE, equivalents: Iterable[str] = (), speaks: Speaks = Speaks.ALWAYS,
         reads_model: bool = False) -> Callable:
    if not _ID.match(rule_id):
        raise RuleDefinitionError(f"rule id {rule_id!r} must be a lower-case slug")

    def register(fn: Callable[..., Iterable[Hit]]) -> Callable[..., Iterable[Hit]]:
        if rule_id in REGISTRY:
            raise RuleDefinitionError(f"rule id {rule_id!r} is registered twice")
        title, why, fix = _sections(fn.__doc__ or "", rule_id)
        kind_set = frozenset(kinds)
        if scope is Scope.FILE and not kind_set:
            raise RuleDefinitionError(f"rule {rule_id}: a file rule must name the kinds it reads")
        REGISTRY[rule_id] = Rule(rule_id, category, severity, kind_set, scope, title, why, fix, _checked(fn, scope),
                                 tuple(equivalents), fn.__module__.rsplit(".", 1)[-1], speaks, reads_model)
        return fn

    return register


_K8S = frozenset({FileKind.K8S, FileKind.HELM})
# One module per rule family, in catalog order, with the kinds its file rules read (those that do
# not ask the service model) and whether it has cross-file rules, so a review imports only the
# families its change can wake. A test fails
# when this table and the registered rules disagree, or a module in rules/ is missing here.
RULE_MODULES: dict[str, tuple[frozenset[FileKind], bool]] = {
    "api": (frozenset(), True),
    "boundaries": (frozenset(), True),  # its one file rule reads the service model: cross-file
    "compose": (frozenset({FileKind.COMPOSE, FileKind.DOCKERFILE}), False),
    "conventions": (frozenset(), True),
    "data": (frozenset({FileKind.PYTHON}), False),
    "dockerfile": (frozenset({FileKind.DOCKERFILE}), False),
    "fastapi": (frozenset({FileKind.PYTHON}), True),
    "fastapi_auth": (frozenset({FileKind.PYTHON}), False),
    "fastapi_security": (frozenset({FileKind.PYTHON}), False),
    "http": (frozenset({FileKind.PYTHON}), True),
    "k8s_manifests": (_K8S, False),
    "k8s_probes": (_K8S, True),
    "k8s_resources": (_K8S, True),  # k8s-missing-pdb re-judges the Deployment a deleted budget covered
    "k8s_runtime": (_K8S | {FileKind.COMPOSE}, False),  # migrations also in replicated compose services
    "k8s_security": (_K8S, False),
    "messaging": (frozenset({FileKind.PYTHON}), False),
    "outbound": (frozenset({FileKind.PYTHON}), False),
    "observability": (frozenset({FileKind.PYTHON}), True),  # its print rule reads the service model
    "versioning": (frozenset(), True),
    "migrations": (frozenset({FileKind.PYTHON}), False),
}


def _load(names: Iterable[str]) -> list[Rule]:
    wanted = set(names)
    for name in RULE_MODULES:
        if name in wanted:
            importlib.import_module(f"reviewer.rules.{name}")
    return sorted((r for r in REGISTRY.values() if r.module in wanted), key=lambda r: (r.module, r.id))


def all_rules() -> list[Rule]:
    """Every registered rule, in catalog order (module, then id). Imports the rule modules on
    first use: a run that needs no rule (``--version``, ``--help``) loads none."""
    return _load(RULE_MODULES)


def rules_for(kinds: Iterable[FileKind], cross_file: bool) -> list[Rule]:
    """The rules a review of files of these kinds can need: the families that read them, and the
    cross-file rules when ``cross_file``; the other families are not even imported."""
    kinds = set(kinds)
    names = [n for n, (reads, has_cross) in RULE_MODULES.items() if reads & kinds or (cross_file and has_cross)]
    return [r for r in _load(names) if (r.scope is Scope.FILE and r.kinds & kinds and not r.reads_model)
            or (cross_file and r.cross_file)]


def rule_ids() -> set[str]:
    """Every registered rule id: what a config file may name."""
    return {r.id for r in all_rules()}
