"""PR commands and the PR's own state: what ``/arch-review <words>`` asks for, and what earlier
commands left on the PR (paused or not, which rules are ignored), kept in a hidden marker on a bot
comment so that no state lives outside GitHub.

    parse_command("ignore compose-no-healthcheck flaky in CI") -> Command(IGNORE, rule, reason)
    PrState.read(comment bodies, oldest first) -> the state the last state comment recorded
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import StrEnum


class Verb(StrEnum):
    REVIEW = ""  # review now: the bare phrase
    FULL = "full"  # review now, and list the findings already present in the touched files
    PAUSE = "pause"  # no automatic review on pushes until resume
    RESUME = "resume"  # automatic reviews again, and a review now
    IGNORE = "ignore"  # no more comments of one rule on this PR
    EXPLAIN = "explain"  # the rule's why and fix, as a reply
    HELP = "help"
    UNKNOWN = "unknown"  # anything else: the help, nothing else happens


NEEDS_RULE = frozenset({Verb.IGNORE, Verb.EXPLAIN})
MAX_REASON = 200  # characters of an ignore reason kept in the state marker


@dataclass(frozen=True)
class Command:
    verb: Verb
    rule_id: str = ""
    reason: str = ""
    words: str = ""  # what was typed after the phrase, for "unknown command" messages


def parse_command(words: str) -> Command:
    """The command in the words after the trigger phrase (first line only, as GitHub shows it)."""
    text = " ".join(words.split())
    head, _, rest = text.partition(" ")
    try:
        verb = Verb(head.lower())
    except ValueError:
        return Command(Verb.UNKNOWN, words=text)
    if verb in NEEDS_RULE:
        rule_id, _, reason = rest.partition(" ")
        if not rule_id:
            return Command(Verb.UNKNOWN, words=text)
        return Command(verb, rule_id.strip("`").lower(), reason.strip()[:MAX_REASON], words=text)
    if rest:  # `/arch-review pause now please`: not a command we know
        return Command(Verb.UNKNOWN, words=text)
    return Command(verb, words=text)


@dataclass(frozen=True)
class Ignored:
    rule_id: str
    by: str
    reason: str = ""


_STATE = re.compile(r"<!-- arch-review:state=([A-Za-z0-9+/=]*) -->")


@dataclass(frozen=True)
class PrState:
    """What earlier commands decided on one PR."""

    paused: bool = False
    paused_by: str = ""
    ignored: tuple[Ignored, ...] = ()

    @property
    def ignored_rules(self) -> frozenset[str]:
        return frozenset(i.rule_id for i in self.ignored)

    def apply(self, command: Command, by: str) -> PrState:
        """The state after a command; the same state when it changes nothing."""
        if command.verb is Verb.PAUSE and not self.paused:
            return replace(self, paused=True, paused_by=by)
        if command.verb is Verb.RESUME and self.paused:
            return replace(self, paused=False, paused_by="")
        if command.verb is Verb.IGNORE and command.rule_id not in self.ignored_rules:
            return replace(self, ignored=(*self.ignored, Ignored(command.rule_id, by, command.reason)))
        return self

    def marker(self) -> str:
        data = {"paused": self.paused, "paused_by": self.paused_by,
                "ignored": [[i.rule_id, i.by, i.reason] for i in self.ignored]}
        packed = base64.b64encode(json.dumps(data, separators=(",", ":")).encode()).decode()
        return f"<!-- arch-review:state={packed} -->"

    @classmethod
    def read(cls, bodies: Iterable[str | None]) -> PrState | None:
        """The state in the last body that carries one (bodies oldest first); None when none does.
        Only bodies written by us may be passed: the marker is not signed."""
        found = None
        for body in bodies:
            for m in _STATE.finditer(body or ""):
                state = cls._decode(m.group(1))
                if state is not None:
                    found = state
        return found

    @classmethod
    def _decode(cls, packed: str) -> PrState | None:
        try:
            data = json.loads(base64.b64decode(packed, validate=True))
            ignored = tuple(Ignored(str(r), str(b), str(why)) for r, b, why in data.get("ignored", []))
            return cls(bool(data.get("paused")), str(data.get("paused_by", "")), ignored)
        except (binascii.Error, ValueError, TypeError, AttributeError):
            return None
