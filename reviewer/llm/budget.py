"""How much goes to the model: files packed into requests under a token budget, per-run caps,
and what the run cost."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace

from reviewer.llm.prompt import FileSection, HunkText

DEFAULT_CHARS_PER_TOKEN = 3.5  # when the server cannot count for us (Bedrock, old gateways)
# Pack to this share of the budget: estimates are estimates, and newer tokenizers count more.
FILL = 0.85


@dataclass
class Estimator:
    """Token estimates from character counts; ``calibrate`` replaces the ratio by a server count."""

    chars_per_token: float = DEFAULT_CHARS_PER_TOKEN

    def tokens(self, text: str | int) -> int:
        chars = text if isinstance(text, int) else len(text)
        return math.ceil(chars / self.chars_per_token)

    def calibrate(self, chars: int, counted: int | None) -> None:
        if counted and counted > 0 and chars > 0:
            self.chars_per_token = chars / counted


@dataclass
class Chunk:
    sections: list[FileSection]
    est_tokens: int  # the whole request: fixed part + sections

    @property
    def paths(self) -> list[str]:
        return [s.path for s in self.sections]


@dataclass
class Plan:
    chunks: list[Chunk] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def est_tokens(self) -> int:
        return sum(c.est_tokens for c in self.chunks)


def section_chars(section: FileSection) -> int:
    return len(section.render()) + sum(len(r) + 1 for r in section.rule_lines) + 2


def _truncate(section: FileSection, room_chars: int) -> FileSection | None:
    """The file's first hunks that fit in ``room_chars``; one giant hunk (a new file) is cut at a line."""
    kept: list[HunkText] = []
    for hunk in section.hunks:
        if section_chars(replace(section, hunks=[*kept, hunk])) <= room_chars:
            kept.append(hunk)
            continue
        if not kept:
            used = section_chars(replace(section, hunks=[])) + len(f"@@ lines {hunk.start}-{hunk.end} @@") + 1
            count = 0
            for line in hunk.lines:
                used += len(line) + 1
                if used > room_chars:
                    break
                count += 1
            if count:
                numbers = sorted(hunk.shown)[:count]
                kept.append(HunkText(numbers[0], numbers[-1], hunk.lines[:count], frozenset(numbers)))
        break
    if not kept:
        return None
    cut = replace(section, hunks=kept)
    cut.note = (f"{section.path}: the model was shown only lines {kept[0].start}-{kept[-1].end} "
                "(per-request token budget)")
    return cut


def plan_chunks(sections: list[FileSection], fixed_chars: int, budget_tokens: int, estimator: Estimator) -> Plan:
    """Greedy packing by file, in order. ``fixed_chars``: system prompt, tool schema, template, digest."""
    plan = Plan()
    room = int(budget_tokens * FILL * estimator.chars_per_token) - fixed_chars
    if room <= 0:
        plan.notes.append("model review: skipped, the request token budget is smaller than the prompt itself")
        return plan
    current: list[FileSection] = []
    used = 0
    for section in sections:
        size = section_chars(section)
        if size > room:
            cut = _truncate(section, room)
            if cut is None:
                plan.notes.append(f"model review: {section.path} not sent, too large for one request")
                continue
            plan.notes.append(f"model review: {cut.note}")
            section, size = cut, section_chars(cut)
        if current and used + size > room:
            plan.chunks.append(Chunk(current, estimator.tokens(fixed_chars + used)))
            current, used = [], 0
        current.append(section)
        used += size
    if current:
        plan.chunks.append(Chunk(current, estimator.tokens(fixed_chars + used)))
    return plan


def apply_caps(plan: Plan, max_requests: int, max_input_tokens: int) -> Plan:
    """Keep chunks while both per-run caps hold; say which files were not sent and why."""
    kept: list[Chunk] = []
    total = 0
    dropped: list[str] = []
    reason = ""
    for chunk in plan.chunks:
        if len(kept) >= max_requests:
            reason = reason or f"the per-run cap of {max_requests} requests"
        elif total + chunk.est_tokens > max_input_tokens:
            reason = reason or f"the per-run cap of {max_input_tokens} input tokens"
        else:
            kept.append(chunk)
            total += chunk.est_tokens
            continue
        dropped.extend(chunk.paths)
    notes = list(plan.notes)
    if dropped:
        shown = ", ".join(dropped[:3]) + (f" and {len(dropped) - 3} more" if len(dropped) > 3 else "")
        notes.append(f"model review: {len(dropped)} file(s) not sent to the model ({shown}): {reason}")
    return Plan(kept, notes)


# Price list, USD per million tokens (input, output), from platform.claude.com/docs/en/about-claude/pricing
# (read 2026-11). Cache writes (5-minute TTL) cost 1.25x input and cache reads 0.1x input. Haiku 5.5
# doubles up above 100k prompt tokens; our requests stay far below that. Most specific pattern first.
PRICES: list[tuple[re.Pattern[str], tuple[float, float]]] = [
    (re.compile(r"haiku-5"), (0.10, 0.50)),
    (re.compile(r"haiku-4"), (1.00, 5.00)),
    (re.compile(r"3-5-haiku|haiku-3-5"), (0.80, 4.00)),
    (re.compile(r"3-haiku|haiku-3"), (0.25, 1.25)),
    (re.compile(r"sonnet-[5-9]"), (2.00, 10.00)),
    (re.compile(r"sonnet"), (3.00, 15.00)),
    (re.compile(r"opus-5-5"), (4.00, 20.00)),
    (re.compile(r"opus-4-[5-9]|opus-[5-9]"), (5.00, 25.00)),
    (re.compile(r"opus"), (15.00, 75.00)),
]
FALLBACK_PRICE = PRICES[0][1]  # an unknown model is priced as Haiku, and a note says so
CACHE_WRITE_FACTOR, CACHE_READ_FACTOR = 1.25, 0.10


def price_for(model: str) -> tuple[tuple[float, float], bool]:
    """(input, output) USD per MTok, and whether the model was recognised."""
    name = model.lower()
    for pattern, price in PRICES:
        if pattern.search(name):
            return price, True
    return FALLBACK_PRICE, False


def estimate_cost(model: str, input_tokens: int, output_tokens: int, cache_read: int, cache_write: int) -> float:
    (per_in, per_out), _ = price_for(model)
    usd = (input_tokens * per_in + output_tokens * per_out + cache_write * per_in * CACHE_WRITE_FACTOR
           + cache_read * per_in * CACHE_READ_FACTOR) / 1_000_000
    return round(usd, 6)

