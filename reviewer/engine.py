"""The jobs, wired from parts: review a change, audit a tree, add the model's review. No network
here but the model client's, which ``with_model_review`` imports only when it is asked for.

    review_change(changes, head, config, base) ─┐
    audit_tree(source, config) ─────────────────┴─ review(ctx, config) -> Report
    with_model_review(report, ctx, config, api_key) -> Report (rules + Claude, merged)
"""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace

from reviewer.classify import may_be_relevant
from reviewer.config import Config
from reviewer.diff import ChangeSet, FileStatus
from reviewer.errors import ModelError
from reviewer.model import Finding, Report, normalise_code
from reviewer.newness import Comparison, api_changed, in_added_file, model_inputs_changed, split_new
from reviewer.project import FileSource, Project, SourceFile
from reviewer.rules.registry import Hit, Rule, RuleContext, Scope, Speaks, all_rules, rule_ids, rules_for
from reviewer.suppress import is_suppressed, unknown_ids


def _finding(rule: Rule, config: Config, path: str, hit: Hit, f: SourceFile | None) -> Finding:
    title = f"{rule.title}: {hit.detail}" if hit.detail else rule.title
    severity = config.severity_at(rule.id, path) or hit.severity or rule.severity
    return Finding(rule_id=rule.id, severity=severity, category=rule.category, path=path,
                   line=max(hit.line, 1), end_line=hit.end_line, title=title, body=rule.why,
                   fix=hit.fix if hit.fix is not None else rule.fix, fix_is_example=hit.fix is None,
                   suggestion=hit.suggestion, anchor_text=f.line_text(hit.line) if f else "")


def _choose_anchor(hit: Hit, default_path: str, ctx: RuleContext) -> tuple[str, int] | None:
    """For a cross-file hit, the end that a reviewer of this change can act on.

    Prefer an end on a commentable line of the diff, then one in a changed file, then the first
    end when the change deleted another (a removed budget leaves its Deployment uncovered). When no
    end is in the change, the hit stays on its first end if a base tree is at hand: the comparison
    with the base then keeps it only when the change made it true (a route renamed under a probe that
    still asks for the old path); without a base there is no telling, and the hit is dropped."""
    ends = [(hit.path or default_path, hit.line), *hit.also]
    if ctx.targets is None:
        return ends[0]
    if ctx.changes is not None:
        for path, line in ends:
            change = ctx.changes.get(path)
            if change is not None and change.is_changed_line(line):
                return path, line
        for path, line in ends:
            if ctx.changes.commentable(path, line):
                return path, line
    for path, line in ends:
        if path in ctx.targets:
            return path, line
    if ctx.changes is not None and any((c := ctx.changes.get(p)) is not None and c.status is FileStatus.REMOVED
                                       for p, _ in ends[1:]):
        return ends[0]  # the change deleted the other end (a PDB's file): it speaks of the object left behind
    return ends[0] if ctx.base is not None else None


def _run_rule(rule: Rule, ctx: RuleContext, targets: list[SourceFile],
              notes: list[str]) -> Iterable[tuple[str, Hit]]:
    """The rule's hits. A file rule that fails on one file is skipped for that file only, with a
    note naming both: one hostile file must not switch a rule off for the whole change."""
    if rule.scope is Scope.PROJECT:
        moved = []  # hits re-anchored on another end come last: a hit told from that end's side wins there
        for hit in rule.check(ctx):
            anchor = _choose_anchor(hit, hit.path or "", ctx)
            if anchor is not None:
                path, line = anchor
                others = tuple(e for e in ((hit.path or "", hit.line), *hit.also) if e != anchor)
                same = path == hit.path
                out = path, replace(hit, line=line, path=path, end_line=hit.end_line if same else None,
                                    also=others, suggestion=hit.suggestion if same else None)
                if anchor == (hit.path or "", hit.line):
                    yield out
                else:
                    moved.append(out)
        yield from moved
        return
    for f in targets:
        if f.kind in rule.kinds:
            try:
                hits = list(rule.check(f, ctx))
            except Exception as exc:  # a rule's bug or a file of a shape nobody foresaw: contain it
                notes.append(f"rule {rule.id} failed on {f.path} and skipped that file: {type(exc).__name__}: "
                             f"{str(exc)[:200]}; other files were still reviewed")
                continue
            for hit in hits:
                yield hit.path or f.path, hit


def _unknown_suppressions(targets: list[SourceFile]) -> list[str]:
    """Suppressions naming no rule. Only a file that says ``arch-review`` can hold one: the other
    files cost no look, and the whole catalog is imported only when one does."""
    named = [f for f in targets if "arch-review" in f.text]
    if not named:
        return []
    from reviewer.config import MODEL_RULE_IDS
    from reviewer.selection import did_you_mean

    known = rule_ids() | MODEL_RULE_IDS
    return [f"{f.path}:{line}: the suppression names `{name}`, which is no rule{did_you_mean(name, known)}; "
            "it suppresses nothing" for f in named for line, name in unknown_ids(f, known)]


def review(ctx: RuleContext, config: Config, rules: list[Rule] | None = None,
           progress: Callable[[int, int], None] | None = None) -> Report:
    """Run every enabled rule; ``ctx.targets`` None means every file in the project (an audit).
    ``progress(done, total)`` hears after each rule (the CLI's progress bar on a terminal)."""
    report = Report()
    project = ctx.project
    if ctx.conventions is None:
        ctx.conventions = config.convention_settings
    target_paths = sorted(project.files) if ctx.targets is None else sorted(ctx.targets)
    targets = [f for p in target_paths if (f := project.get(p)) is not None and config.path_included(p)]
    report.files_reviewed = [f.path for f in targets]
    report.notes += _unknown_suppressions(targets)
    selected = [r for r in (rules if rules is not None else all_rules()) if config.rule_enabled(r.id)]
    seen: set[tuple[str, str, int]] = set()
    occurrences: Counter[tuple[str, str, str]] = Counter()
    for rule in selected:
        report.rules_run += 1
        if progress is not None:
            progress(report.rules_run - 1, len(selected))
        try:
            hits = list(_run_rule(rule, ctx, targets, report.notes))
        except Exception as exc:  # a cross-file rule: nothing narrower to skip than the rule
            report.notes.append(f"rule {rule.id} failed and was skipped: {type(exc).__name__}: {str(exc)[:200]}")
            continue
        for path, hit in hits:
            if not config.path_included(path) or (rule.id, path, hit.line) in seen \
                    or not config.rule_enabled_at(rule.id, path):
                continue
            f = project.get(path)
            ends = [(path, hit.line), *hit.also]
            if any(is_suppressed(rule.id, rule.equivalents, project.get(p), ln) for p, ln in ends):
                report.suppressed += 1
                continue
            seen.add((rule.id, path, hit.line))
            finding = _finding(rule, config, path, hit, f)
            key = (rule.id, path, normalise_code(finding.anchor_text))
            finding = finding.with_(occurrence=occurrences[key])
            occurrences[key] += 1
            report.findings.append(finding)
    for f in targets:
        if f.error is not None:
            report.notes.append(f"{f.error}; other files were still reviewed")
        report.notes.extend(f.notes)
    skipped = [project.skipped[p] for p in (project.skipped if ctx.targets is None else ctx.targets)
               if p in project.skipped]
    report.notes = [*sorted(skipped), *report.notes]
    report.findings.sort(key=lambda x: x.sort_key)
    return report


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
    """One line per changed file that is not reviewed the ordinary way, naming the file: binary,
    no diff from GitHub, or skipped by the loader (not UTF-8, too large)."""
    notes = list(changes.notes)
    for path, change in sorted(changes.files.items()):
        if change.status is FileStatus.REMOVED:
            continue
        if change.binary and may_be_relevant(path):  # a changed logo is not bad input: say nothing
            notes.append(f"{path}: skipped, binary file")
        elif change.patch_missing and project.get(path) is not None:
            notes.append(f"{path}: GitHub sent no diff (too large); reviewed from its contents, "
                         "findings listed in the review body")
        elif path in project.skipped:
            notes.append(project.skipped[path])
    return notes


def review_change(changes: ChangeSet, head: FileSource, config: Config,
                  base: FileSource | None = None) -> tuple[Report, RuleContext]:
    """Rules over the changed files, with the whole head tree as context for cross-file rules."""
    with _no_cyclic_gc():
        return _review_change(changes, head, config, base)


def _review_change(changes: ChangeSet, head: FileSource, config: Config,
                   base: FileSource | None) -> tuple[Report, RuleContext]:
    project = Project.load(head, include=config.path_included, eager=changes.files)
    targets = frozenset(p for p in changes.reviewable_paths if project.get(p) is not None)
    base_project = _base_tree(changes, project, base, config) if base is not None else None
    ctx = RuleContext(project=project, base=base_project, changes=changes, targets=targets,
                      service_roots=config.service_roots)
    # the cross-file rules run only when the change can move what they read; otherwise nothing
    # they say can be new, and the families of the kinds the change does not touch are not loaded
    cross_file = model_inputs_changed(changes, project, base_project)
    kinds = {f.kind for p in targets if (f := project.get(p)) is not None}
    rules = [r for r in rules_for(kinds, cross_file) if config.rule_enabled(r.id)]
    if cross_file and not api_changed(changes, project, base_project):
        rules = [r for r in rules if r.speaks is not Speaks.REVIEW]  # the API surface did not move
    report = review(ctx, config, rules)
    report.notes = [*change_notes(changes, project), *report.notes]
    _keep_new(report, ctx, config, rules)
    return report, ctx


def _base_tree(changes: ChangeSet, head: Project, base: FileSource, config: Config) -> Project:
    """The base as the head tree with the changed files swapped back: only they are read, and every
    other file (parsed once) is shared between the two sides."""
    removed = list(changes.files)  # the head side of every changed path
    added = [c.old_path or p for p, c in changes.files.items()
             if c.status is not FileStatus.ADDED and config.path_included(c.old_path or p)]
    return head.derive(removed, base, added)


def speaks(rule: Rule, config: Config) -> Speaks:
    moved = config.speaks.get(rule.id)
    return Speaks.ALWAYS if moved == "both" else Speaks(moved) if moved else rule.speaks


def _keep_new(report: Report, ctx: RuleContext, config: Config, rules: list[Rule]) -> None:
    """Keep the findings the change introduces; the rest of the touched files' findings are
    counted as pre-existing. Without a base, audit-only rules speak only in files the change adds:
    an added line alone (a bumped ``FROM``) does not say the object is new."""
    assert ctx.changes is not None
    by_id = {r.id: r for r in rules}
    project_ids = {r.id for r in rules if r.scope is Scope.PROJECT}
    base = _base_findings(ctx, config, rules, {f.rule_id for f in report.findings}) if ctx.base else None
    split = split_new(report.findings, base, ctx.changes, project_ids)
    # a cross-file finding kept on an end outside the change (``_choose_anchor``) counts only when new
    new, old = [], [f for f in split.pre_existing if f.rule_id not in project_ids or f.path in (ctx.targets or ())]
    for f in split.new:
        rule = by_id.get(f.rule_id)
        audit_only = rule is not None and speaks(rule, config) is Speaks.AUDIT
        (old if audit_only and base is None and not in_added_file(f, ctx.changes) else new).append(f)
    report.findings = new
    report.pre_existing = sorted(old, key=lambda f: f.sort_key)
    report.comparison = Comparison.BASE if base is not None else Comparison.ADDED_LINES


def _base_findings(ctx: RuleContext, config: Config, rules: list[Rule], fired: set[str]) -> list[Finding]:
    """The base side, only for the rules that found something at head: the changed files' base
    versions for the file rules, the whole (shared) base tree for the cross-file rules."""
    assert ctx.base is not None and ctx.changes is not None
    base = ctx.base
    paths = frozenset(p for p in (c.old_path or p for p, c in ctx.changes.files.items()) if base.get(p) is not None)
    file_rules = [r for r in rules if r.id in fired and r.scope is Scope.FILE]
    project_rules = [r for r in rules if r.id in fired and r.scope is Scope.PROJECT]
    found = review(RuleContext(base, targets=paths, service_roots=ctx.service_roots), config, file_rules).findings
    if project_rules:
        whole = RuleContext(base, service_roots=ctx.service_roots)
        found += review(whole, config, project_rules).findings
    return found


def audit_tree(source: FileSource, config: Config,
               progress: Callable[[int, int], None] | None = None) -> tuple[Report, RuleContext]:
    with _no_cyclic_gc():
        project = Project.load(source, include=config.path_included)
        ctx = RuleContext(project=project, service_roots=config.service_roots)
        rules = [r for r in all_rules() if speaks(r, config) is not Speaks.REVIEW]
        return review(ctx, config, rules, progress), ctx


def with_model_review(report: Report, ctx: RuleContext, config: Config, api_key: str, *,
                      model_name: str = "", pr_title: str = "", pr_body: str = "",
                      base_url: str | None = None, since: ChangeSet | None = None) -> Report:
    """Claude's findings merged into a rules report (rules win on duplicates, other points on a
    rule's line ride in its comment); a missing key, a disabled model and API trouble become notes,
    never errors. ``since``: the model sees only the hunks changed after the last reviewed head.
    Imports the model code only when called, so a rules-only run never loads ``anthropic``."""
    if ctx.changes is None:
        return report
    if not config.model.enabled:
        return replace(report, notes=[*report.notes, "model review disabled in the config file"])
    if not api_key and config.model.provider == "anthropic":
        return replace(report, notes=[*report.notes, "model review: skipped, ANTHROPIC_API_KEY is not set"])
    from reviewer.llm import model_review  # lazy: importing anthropic costs over a second
    from reviewer.merge import merge_findings

    settings = replace(config.model, name=model_name or config.model.name)
    try:
        result = model_review(ctx.changes, ctx, report.findings, settings, api_key, pr_title=pr_title,
                              pr_body=pr_body, base_url=base_url, since=since)
    except ModelError as exc:
        return replace(report, notes=[*report.notes, f"model review failed; rule findings still posted: {exc}"])
    merged = merge_findings(report.findings, config.apply(result.findings))
    return replace(report, findings=merged.findings, notes=[*report.notes, *result.notes, *merged.notes],
                   usage=result.usage if result.usage.requests or result.usage.scope else report.usage)
