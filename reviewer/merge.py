"""Rule findings + model findings -> one list. Rules win on the same point: a model finding at the
same place as a rule finding that makes the same point (a near-identical claim) is dropped, counted;
one that says something else there is merged into the rule's comment as an "Architect's note", so
a missing fallback is not lost next to a missing timeout. Between model findings, the more
confident one stays."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from reviewer.model import Finding, normalise_code

NEAR_LINES = 2  # "the same place": the model may anchor on the call while the rule anchors on its keyword
NOTE_LABEL = "Architect's note:"
_WORD = re.compile(r"[a-z][a-z0-9]{3,}")
_STOP = {"with", "without", "from", "that", "this", "when", "should", "missing", "uses", "used", "using", "into",
         "call", "calls", "code", "line", "here", "there", "will", "each", "have", "does", "more", "than", "before",
         "after", "every", "only", "never", "make", "makes", "made", "their", "them", "they", "what", "which",
         "your", "other", "over", "under", "about", "instead", "still"}
# Words too common in this domain to make two titles the same claim on their own.
_WEAK = {"http", "service", "services", "request", "requests", "response", "client", "endpoint", "route",
         "handler", "server", "outbound", "inbound", "set", "config"}
# Different words for one concern, so "no deadline" and "without a timeout" are the same claim.
_SAME = {"deadline": "timeout", "deadlines": "timeout", "timeouts": "timeout", "timed": "timeout",
         "retries": "retry", "retrying": "retry", "retried": "retry", "backoff": "retry",
         "breakers": "breaker", "circuit": "breaker", "probes": "probe", "liveness": "probe", "readiness": "probe",
         "healthcheck": "probe", "health": "probe", "secrets": "secret", "credential": "secret",
         "credentials": "secret", "password": "secret", "limits": "limit", "replicas": "replica",
         "blocking": "blocks", "block": "blocks", "synchronous": "sync"}


@dataclass
class Merged:
    findings: list[Finding]
    duplicates: int
    noted: int = 0  # model findings carried as an Architect's note in a rule finding's comment

    @property
    def notes(self) -> list[str]:
        notes = []
        if self.duplicates:
            notes.append(f"model review: {self.duplicates} finding(s) dropped as duplicates of other findings")
        if self.noted:
            notes.append(f"model review: {self.noted} finding(s) added to a rule's comment on the same line "
                         f"as an {NOTE_LABEL[:-1]}")
        return notes


def _words(f: Finding) -> set[str]:
    words = set(_WORD.findall(f"{f.title} {f.rule_id.replace('-', ' ')}".lower())) - _STOP
    return {_SAME.get(w, w) for w in words}


def _lines(f: Finding) -> tuple[int, int]:
    return f.line, max(f.line, f.end_line or f.line)


def same_place(a: Finding, b: Finding) -> bool:
    if a.path != b.path:
        return False
    (a1, a2), (b1, b2) = _lines(a), _lines(b)
    return a1 - NEAR_LINES <= b2 and b1 - NEAR_LINES <= a2


def same_point(a: Finding, b: Finding) -> bool:
    """A near-identical claim: two telling words in common, or one (not a commonplace one) in the same
    category ("No deadline on the inventory call" vs the timeout rule; not "No fallback when it fails")."""
    shared = _words(a) & _words(b)
    return len(shared) >= 2 or (a.category == b.category and bool(shared - _WEAK))


def with_note(rule_finding: Finding, model_finding: Finding) -> Finding:
    """The rule's finding, its wording first, then the model's point."""
    note = f"**{NOTE_LABEL}** {model_finding.title.rstrip('.')}. {model_finding.body}"
    if model_finding.fix:
        note += f"\n\n```\n{model_finding.fix.replace('```', '` ` `')}\n```"
    return rule_finding.with_(body=f"{rule_finding.body}\n\n{note}")


def merge_findings(rule_findings: list[Finding], model_findings: list[Finding]) -> Merged:
    kept_model: list[Finding] = []
    rules = list(rule_findings)
    duplicates = noted = 0
    ranked = sorted(model_findings, key=lambda f: (-(f.confidence or 0.0), -f.severity.rank, f.path, f.line))
    for finding in ranked:
        near_rules = [i for i, r in enumerate(rules) if same_place(finding, r)]
        near_model = [m for m in kept_model if same_place(finding, m)]
        if any(same_point(finding, rules[i]) for i in near_rules) or \
                any(same_point(finding, m) or finding.category == m.category for m in near_model):
            duplicates += 1
            continue
        if near_rules:  # another point on a line a rule already speaks about: one comment carries both
            i = min(near_rules, key=lambda i: (abs(rules[i].line - finding.line), -rules[i].severity.rank))
            rules[i] = with_note(rules[i], finding)
            noted += 1
            continue
        kept_model.append(finding)
    # two model findings on the same anchor code would share a fingerprint: number the repeats
    seen: Counter[tuple[str, str, str]] = Counter()
    numbered = []
    for finding in sorted(kept_model, key=lambda f: (f.path, f.line, f.rule_id)):
        key = (finding.rule_id, finding.path, normalise_code(finding.anchor_text))
        numbered.append(finding.with_(occurrence=seen[key]))
        seen[key] += 1
    return Merged(sorted([*rules, *numbered], key=lambda f: f.sort_key), duplicates, noted)
