"""One comment per problem. Pure: findings in, problems out; nothing is dropped.

    findings ─▶ merge related rules on one object (the MERGES table: "no probes")
             ─▶ collapse repeats of one cause (cause_key: rule + what it says, never where)
             ─▶ problems, each posted once at its first place, listing the others

A problem keeps the fingerprint of the finding it is posted as; the findings folded into it are
carried along so their fingerprints can be recorded too (a rerun must not post them again).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from reviewer.model import Finding, Source, normalise_code, normalise_subject


@dataclass(frozen=True)
class Merge:
    """Related rules whose findings on one object make one comment. ``rules`` in the order their
    text is shown; the first one present leads (its id, line and fingerprint are the comment's)."""

    rules: tuple[str, ...]
    title: str


# Declared, not inferred: each entry is a pair of checks a reviewer would write as one sentence.
MERGES: tuple[Merge, ...] = (
    Merge(("k8s-missing-readiness-probe", "k8s-missing-liveness-probe"),
          "Container has no readiness or liveness probe"),
    Merge(("k8s-missing-resource-requests", "k8s-missing-memory-limit"),
          "Container has no resource requests and no memory limit"),
)
_MERGE_OF = {rule_id: m for m in MERGES for rule_id in m.rules}
# Rules whose every finding in one change comes from one decision of its author ("these routes
# go"): one comment for all of them. Seen on openreplay bce28b691: 19 removed routes, 19 comments.
CHANGE_WIDE = frozenset({"api-route-removed"})


@dataclass(frozen=True)
class Problem:
    """What one comment says. ``finding`` is what is posted (for merged rules, their joint title,
    reasons and fixes); ``merged`` are the related rules' findings folded into it on the same
    object; ``also`` the same cause at other places (with their own merged findings), first place
    first."""

    finding: Finding
    merged: tuple[Finding, ...] = ()
    also: tuple[Finding, ...] = ()

    @property
    def folded(self) -> tuple[Finding, ...]:
        return (*self.merged, *self.also)

    @property
    def rule_ids(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys([self.finding.rule_id, *(f.rule_id for f in self.merged)]))


# ---- the title detail and the cause key ----------------------------------------------------------

_FIRST_NAME = re.compile(r"`([^`]+)`")


def detail_of(finding: Finding) -> str:
    """What a rule finding says about this code: the title after ``Rule title: ``. The engine
    writes titles that way and no rule title holds ": " (tests/test_grouping.py checks both)."""
    if finding.source is not Source.RULE or ": " not in finding.title:
        return ""
    return finding.title.split(": ", 1)[1]


def cause_key(problem: Problem) -> tuple[str, ...] | None:
    """Two problems with one key are one cause: the same rule(s) at the same severity saying the
    same thing (the normalised title detail: the same image, container, call), or, for a rule that
    names nothing, on the same code (the normalised anchor line). Never the path or line. The
    model's titles are free text: both its title and its anchor code must agree. None: no key
    can be trusted, the finding stands alone."""
    f = problem.finding
    head = (*sorted(problem.rule_ids), f.severity.value)
    anchor = normalise_code(f.anchor_text)
    if f.source is Source.LLM:
        return (*head, "llm", normalise_code(f.title), anchor) if anchor else None
    if f.rule_id in CHANGE_WIDE and not problem.merged:
        return (*head, "the change")
    detail = normalise_subject(detail_of(f))
    if detail:
        return (*head, "detail", detail)
    return (*head, "anchor", anchor) if anchor else None


# ---- merge related rules on one object -----------------------------------------------------------

def _object_key(f: Finding) -> tuple[str, int, str] | None:
    """The object a finding is about: its file, anchor line and the first name its detail gives
    (both probe rules anchor on the container's line and name the container first)."""
    name = _FIRST_NAME.search(detail_of(f))
    return (f.path, f.line, name.group(1)) if name else None


def _merged_finding(merge: Merge, lead: Finding, others: Sequence[Finding]) -> Finding:
    members = (lead, *others)
    detail = detail_of(lead)
    title = f"{merge.title}: {detail}" if detail else merge.title
    bodies = [lead.body.strip(), *(f"`{f.rule_id}`: {f.body.strip()}" for f in others if f.body.strip())]
    fixes = [x.strip("\n") for x in dict.fromkeys(f.fix for f in members) if x.strip()]
    return lead.with_(title=title, severity=max((f.severity for f in members), key=lambda s: s.rank),
                      body="\n\n".join(b for b in bodies if b), fix="\n\n".join(fixes),
                      fix_is_example=all(f.fix_is_example for f in members),
                      suggestion=lead.suggestion if len(fixes) <= 1 else None)


def merge_related(findings: Iterable[Finding]) -> list[Problem]:
    """One problem per object for the rules of one MERGES entry; every other finding alone."""
    out: list[Problem] = []
    by_object: dict[tuple[Merge, tuple[str, int, str]], list[Finding]] = {}
    for f in findings:
        merge = _MERGE_OF.get(f.rule_id) if f.source is Source.RULE else None
        key = _object_key(f) if merge is not None else None
        if merge is None or key is None:
            out.append(Problem(f))
            continue
        by_object.setdefault((merge, key), []).append(f)
    for (merge, _), members in by_object.items():
        members.sort(key=lambda f: merge.rules.index(f.rule_id))
        lead, others = members[0], tuple(members[1:])
        if not others or len({f.rule_id for f in members}) < len(members):  # alone, or a rule fired twice
            out.extend(Problem(f) for f in members)
            continue
        out.append(Problem(_merged_finding(merge, lead, others), merged=others))
    return out


# ---- collapse repeats of one cause ----------------------------------------------------------------

def collapse_repeats(problems: Iterable[Problem], prefer: Callable[[Finding], bool] | None = None) -> list[Problem]:
    """One problem per cause key, posted at its first place: the first ``prefer``red one (a line
    the PR's diff can carry a comment on), then by severity, path and line."""
    groups: dict[tuple[str, ...], list[Problem]] = {}
    alone: list[Problem] = []
    for p in problems:
        key = cause_key(p)
        if key is None:
            alone.append(p)
        else:
            groups.setdefault(key, []).append(p)

    def order(p: Problem) -> tuple:
        return (not prefer(p.finding) if prefer else False, p.finding.sort_key)

    out = list(alone)
    for members in groups.values():
        members.sort(key=order)
        first, rest = members[0], members[1:]
        also = tuple(f for p in rest for f in (p.finding, *p.merged))
        out.append(Problem(first.finding, first.merged, also) if rest else first)
    return sorted(out, key=lambda p: p.finding.sort_key)


def group_findings(findings: Iterable[Finding], prefer: Callable[[Finding], bool] | None = None) -> list[Problem]:
    """Merge, then collapse: the one grouping step, run once before routing."""
    return collapse_repeats(merge_related(findings), prefer)
