"""The two jobs, wired from parts: review a change, or audit a whole tree. No network here."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

from reviewer.classify import FileKind, may_be_relevant
from reviewer.config import Config
from reviewer.diff import ChangeSet, FileStatus
from reviewer.engine import Report, review
from reviewer.project import FileSource, Project
from reviewer.rules.registry import RuleContext


@contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Parsing a large tree creates millions of objects that live until the run ends; CPython's
    cycle collector re-walks all of them on every full pass, which doubled the parse time of a
    2,000-file audit. Nothing the engine builds depends on cycle collection, so pause it."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def change_notes(changes: ChangeSet, project: Project) -> list[str]:
    """One line per changed file that is not reviewed the ordinary way, naming the file."""
    notes = list(changes.notes)
    for path, change in sorted(changes.files.items()):
        if change.status is FileStatus.REMOVED:
            continue
        if change.binary and may_be_relevant(path):  # a changed logo is not bad input: say nothing
            notes.append(f"{path}: skipped, binary file")
        elif change.patch_missing and path in project.files:
            notes.append(f"{path}: GitHub sent no diff (too large); reviewed from its contents, "
                         "findings listed in the review body")
    return notes


def review_change(changes: ChangeSet, head: FileSource, config: Config,
                  base: FileSource | None = None) -> tuple[Report, RuleContext]:
    """Rules over the changed files, with the whole head tree as context for cross-file rules."""
    with _no_cyclic_gc():
        return _review_change(changes, head, config, base)


def _review_change(changes: ChangeSet, head: FileSource, config: Config,
                   base: FileSource | None) -> tuple[Report, RuleContext]:
    project = Project.load(head, include=config.path_included)
    targets = frozenset(p for p in changes.reviewable_paths if p in project.files)
    base_project = None
    if base is not None:
        base_project = Project.load(base, only=changes.base_paths(FileKind.PYTHON))
    ctx = RuleContext(project=project, base=base_project, changes=changes, targets=targets,
                      service_roots=config.service_roots)
    report = review(ctx, config)
    report.notes = [*change_notes(changes, project), *report.notes]
    return report, ctx


def audit_tree(source: FileSource, config: Config) -> tuple[Report, RuleContext]:
    with _no_cyclic_gc():
        project = Project.load(source, include=config.path_included)
        ctx = RuleContext(project=project, service_roots=config.service_roots)
        return review(ctx, config), ctx


def add_model_review(report: Report, ctx: RuleContext, config: Config, api_key: str, pr_title: str = "",
                     pr_body: str = "", base_url: str | None = None) -> Report:
    """Claude's findings merged into a rules report; API trouble and usage become notes.
    Imports the model code only when called, so a rules-only run never loads ``anthropic``."""
    if ctx.changes is None:
        return report
    if not api_key and config.model.provider == "anthropic":
        report.notes.append("model review: skipped, ANTHROPIC_API_KEY is not set")
        return report
    from reviewer.llm import model_review
    from reviewer.merge import merge_findings

    result = model_review(ctx.changes, ctx, report.findings, config.model, api_key, pr_title=pr_title,
                          pr_body=pr_body, base_url=base_url)
    merged = merge_findings(report.findings, config.apply(result.findings))
    report.findings = merged.findings
    report.notes.extend([*result.notes, *merged.notes])
    if result.usage.requests:
        report.notes.append(result.usage.summary())
    return report
