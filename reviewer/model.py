"""The values the whole pipeline passes around: severities, categories, findings, reports."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace
from enum import StrEnum


class Severity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]

    @classmethod
    def parse(cls, text: str) -> Severity:
        return cls(text.strip().lower())


_SEVERITY_RANK = {Severity.INFO: 1, Severity.WARNING: 2, Severity.ERROR: 3}


class Category(StrEnum):
    RESILIENCE = "resilience"
    BOUNDARIES = "boundaries"
    FASTAPI = "fastapi"
    SECURITY = "security"
    OPERABILITY = "operability"
    API = "api"


class Source(StrEnum):
    RULE = "rule"
    LLM = "llm"


_WS = re.compile(r"\s+")


def normalise_code(line: str) -> str:
    """The anchor line with white space folded, so re-indentation keeps the fingerprint."""
    return _WS.sub(" ", line).strip()


# A reference to a place (`orders/app.py:12`, "line 12") names where, not what: cut its number.
_FILE_LINE = re.compile(r"(\.(?:py|pyi|ya?ml|json|toml|tpl|cfg|ini|env|sh|txt)|(?:Docker|Container)file[\w.-]*)"
                        r":\d+(?:-\d+)?\b")
_LINE_WORD = re.compile(r"\b(lines?) \d+(?:-\d+)?\b")


def normalise_subject(text: str) -> str:
    """What a title says, not where: places cut to their files (``app.py:12`` -> ``app.py``, "line 12"
    -> "line"), white space folded. A host's port (``orders:8000``) is what, and stays."""
    return normalise_code(_LINE_WORD.sub(r"\1", _FILE_LINE.sub(r"\1", text)))


@dataclass(frozen=True)
class Finding:
    """One thing worth telling the author, anchored on one line of one file."""

    rule_id: str
    severity: Severity
    category: Category
    path: str
    line: int
    title: str
    body: str
    fix: str = ""
    end_line: int | None = None
    source: Source = Source.RULE
    anchor_text: str = ""
    occurrence: int = 0
    confidence: float | None = None
    fix_is_example: bool = True  # the rule's stock example, not a fix built from this finding's names
    suggestion: str | None = None  # replacement for lines line..end_line: a one-click ```suggestion

    def fingerprint(self) -> str:
        """Rule + path + normalised anchor code (+ which repeat of it), so unrelated shifts keep it."""
        key = f"{self.rule_id}|{self.path}|{normalise_code(self.anchor_text)}|{self.occurrence}"
        return hashlib.sha256(key.encode()).hexdigest()[:16]

    def with_(self, **changes: object) -> Finding:
        return replace(self, **changes)

    @property
    def sort_key(self) -> tuple:
        return (-self.severity.rank, self.path, self.line, self.rule_id)


def at_or_above(findings: list[Finding], threshold: Severity | None) -> list[Finding]:
    if threshold is None:
        return []
    return [f for f in findings if f.severity.rank >= threshold.rank]


@dataclass
class ModelUsage:
    requests: int = 0  # answered Messages requests (failed attempts cost nothing and are not counted)
    input_tokens: int = 0  # uncached input
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    est_cost_usd: float = 0.0
    wall_seconds: float = 0.0
    context_tokens: int = 0  # estimated share of the input that was the context pack
    scope: str = ""  # "full", or "incremental, the hunks changed since <sha> (n file(s))"
    reviewed_all: bool = False  # every relevant hunk was sent and answered: the head may be recorded as reviewed

    def summary(self) -> str:
        scope = f" ({self.scope})" if self.scope else ""
        if not self.requests:
            return f"model review: no requests made{scope}"
        cache = ""
        if self.cache_read_tokens or self.cache_write_tokens:
            cache = f" (+{self.cache_read_tokens:,} read from cache, {self.cache_write_tokens:,} written to it)"
        context = f", about {self.context_tokens:,} of them context" if self.context_tokens else ""
        return (f"model review: {self.requests} request{'s' if self.requests != 1 else ''}, "
                f"{self.input_tokens:,} input tokens{cache}{context}, {self.output_tokens:,} output tokens, "
                f"about ${self.est_cost_usd:.4f}, {self.wall_seconds:.1f} s{scope}")


@dataclass
class Report:
    """What one run found: the findings, the notes that explain what was skipped or how, and the
    model's usage when it was asked."""

    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    files_reviewed: list[str] = field(default_factory=list)
    rules_run: int = 0
    suppressed: int = 0
    usage: ModelUsage | None = None
    pre_existing: list[Finding] = field(default_factory=list)  # a review: already there in the touched files
    comparison: str | None = None  # a review: how "new" was decided

    def listing_all(self) -> Report:
        """The same report with the pre-existing findings listed beside the new ones."""
        return replace(self, findings=sorted([*self.findings, *self.pre_existing], key=lambda f: f.sort_key),
                       pre_existing=[])
