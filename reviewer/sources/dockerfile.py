"""Dockerfile text -> instructions with their lines, grouped into build stages."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

_ESCAPE_DIRECTIVE = re.compile(r"^#\s*escape\s*=\s*(\S)", re.I)
_HEREDOC = re.compile(r"<<-?\s*[\"']?(\w+)[\"']?")


@dataclass(frozen=True)
class Instruction:
    keyword: str  # upper-cased: FROM, RUN, CMD, ...
    args: str  # the text after the keyword, continuation lines joined with a space
    line: int
    end_line: int
    flags: tuple[str, ...] = ()  # --from=..., --chown=... (leading --options)

    @property
    def exec_form(self) -> list[str] | None:
        """The JSON array of CMD/ENTRYPOINT/RUN/SHELL when written in exec form."""
        text = self.args.strip()
        if not text.startswith("["):
            return None
        try:
            value = json.loads(text)
        except ValueError:
            return None
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return value
        return None


@dataclass(eq=False)  # a stage is one place in one file: equal only to itself (comparing them walked every instruction)
class Stage:
    index: int
    base: str  # image reference as written
    alias: str | None
    line: int
    instructions: list[Instruction] = field(default_factory=list)

    def last(self, keyword: str) -> Instruction | None:
        for ins in reversed(self.instructions):
            if ins.keyword == keyword:
                return ins
        return None

    def all(self, keyword: str) -> list[Instruction]:
        return [ins for ins in self.instructions if ins.keyword == keyword]


@dataclass
class Dockerfile:
    instructions: list[Instruction]
    stages: list[Stage]
    _by_name: dict[str, Stage] | None = field(default=None, repr=False, compare=False)

    @property
    def final(self) -> Stage | None:
        return self.stages[-1] if self.stages else None

    def _names(self) -> dict[str, Stage]:
        """Stages by lower-cased ``AS`` name, the first one of each name (a file may repeat one)."""
        if self._by_name is None:
            self._by_name = {}
            for s in self.stages:
                if s.alias:
                    self._by_name.setdefault(s.alias.lower(), s)
        return self._by_name

    def stage_named(self, name: str) -> Stage | None:
        return self._names().get(name.lower())

    def stage_for(self, target: str | None = None) -> Stage | None:
        """The stage a build produces: the ``--target`` one, else the final one."""
        return self.stage_named(target) if target else self.final

    def parent(self, stage: Stage) -> Stage | None:
        """The earlier stage ``stage`` is built FROM; None when its base is an image."""
        found = self.stage_named(stage.base)
        return found if found is not None and found.index < stage.index else None

    def chain(self, stage: Stage) -> list[Stage]:
        """The stage, then each earlier stage it is built FROM (its instructions are inherited)."""
        out = [stage]
        while (parent := self.parent(out[-1])) is not None:  # parents come strictly earlier: no cycle
            out.append(parent)
        return out


def _split_flags(rest: str) -> tuple[tuple[str, ...], str]:
    flags = []
    while rest.startswith("--"):
        flag, _, rest = rest.partition(" ")
        flags.append(flag)
        rest = rest.lstrip()
    return tuple(flags), rest


def parse_dockerfile(text: str) -> Dockerfile:
    lines = text.splitlines()
    escape = "\\"
    for raw in lines[:5]:
        m = _ESCAPE_DIRECTIVE.match(raw)
        if m:
            escape = m.group(1)
    instructions: list[Instruction] = []
    i = 0
    while i < len(lines):
        raw = lines[i]
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            i += 1
            continue
        start = i
        parts = []
        body = stripped
        while body.endswith(escape) and i + 1 < len(lines):
            parts.append(body[:-1].strip())
            i += 1
            body = lines[i].strip()
            while (not body or body.startswith("#")) and i + 1 < len(lines):  # comments inside continuations
                i += 1
                body = lines[i].strip()
        parts.append(body.rstrip(escape).strip())
        joined = " ".join(p for p in parts if p)
        keyword, _, rest = joined.partition(" ")
        heredoc = _HEREDOC.search(rest) if keyword.upper() in {"RUN", "COPY", "ADD"} else None
        if heredoc:  # skip the here-document body up to its terminator line
            terminator = heredoc.group(1)
            j = i + 1
            while j < len(lines) and lines[j].strip() != terminator:
                j += 1
            i = j
        flags, rest = _split_flags(rest.strip())
        instructions.append(Instruction(keyword.upper(), rest, start + 1, i + 1, flags))
        i += 1
    stages: list[Stage] = []
    for ins in instructions:
        if ins.keyword == "FROM":
            words = ins.args.split()
            base = words[0] if words else ""
            alias = words[2] if len(words) >= 3 and words[1].lower() == "as" else None
            stages.append(Stage(len(stages), base, alias, ins.line))
        if stages:
            stages[-1].instructions.append(ins)
    return Dockerfile(instructions, stages)
