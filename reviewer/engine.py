"""review(context, config) -> Report: run the enabled rules over the target files. Pure, no network."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from reviewer.config import Config
from reviewer.model import Finding, normalise_code
from reviewer.project import SourceFile
from reviewer.rules.registry import Hit, Rule, RuleContext, Scope, all_rules
from reviewer.suppress import is_suppressed


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    files_reviewed: list[str] = field(default_factory=list)
    rules_run: int = 0
    suppressed: int = 0


def _finding(rule: Rule, config: Config, path: str, hit: Hit, f: SourceFile | None) -> Finding:
    title = f"{rule.title}: {hit.detail}" if hit.detail else rule.title
    severity = config.severities.get(rule.id) or hit.severity or rule.severity
    return Finding(rule_id=rule.id, severity=severity, category=rule.category, path=path,
                   line=max(hit.line, 1), end_line=hit.end_line, title=title, body=rule.why, fix=rule.fix,
                   anchor_text=f.line_text(hit.line) if f else "")


def _choose_anchor(hit: Hit, default_path: str, ctx: RuleContext) -> tuple[str, int] | None:
    """For a cross-file hit, the end that a reviewer of this change can act on.

    Prefer an end on a commentable line of the diff, then one in a changed file; drop the hit
    when no end is in the change (that is the audit's business, not this PR's)."""
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
    return None


def _run_rule(rule: Rule, ctx: RuleContext, targets: list[SourceFile]) -> Iterable[tuple[str, Hit]]:
    if rule.scope is Scope.PROJECT:
        for hit in rule.check(ctx):
            anchor = _choose_anchor(hit, hit.path or "", ctx)
            if anchor is not None:
                path, line = anchor
                others = tuple(e for e in ((hit.path or "", hit.line), *hit.also) if e != anchor)
                yield path, Hit(line, hit.detail, path, hit.end_line if path == hit.path else None,
                                hit.severity, others)
        return
    for f in targets:
        if f.kind in rule.kinds:
            for hit in rule.check(f, ctx):
                yield hit.path or f.path, hit


def review(ctx: RuleContext, config: Config, rules: list[Rule] | None = None) -> Report:
    """Run every enabled rule; ``ctx.targets`` None means every file in the project (an audit)."""
    report = Report()
    project = ctx.project
    target_paths = sorted(project.files) if ctx.targets is None else sorted(ctx.targets)
    targets = [project.files[p] for p in target_paths if p in project.files and config.path_included(p)]
    report.files_reviewed = [f.path for f in targets]
    selected = [r for r in (rules if rules is not None else all_rules()) if config.rule_enabled(r.id)]
    seen: set[tuple[str, str, int]] = set()
    occurrences: Counter[tuple[str, str, str]] = Counter()
    for rule in selected:
        report.rules_run += 1
        try:
            hits = list(_run_rule(rule, ctx, targets))
        except Exception as exc:
            report.notes.append(f"rule {rule.id} failed and was skipped: {type(exc).__name__}: {exc}")
            continue
        for path, hit in hits:
            if not config.path_included(path) or (rule.id, path, hit.line) in seen:
                continue
            f = project.get(path)
            ends = [(path, hit.line), *hit.also]
            if any(is_suppressed(rule, project.get(p), ln) for p, ln in ends):
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
