"""Helm templates as parseable YAML with their line numbers kept.

A chart template is Go text/template over YAML, so it does not parse as YAML. We rewrite it line
by line, keeping every line where it was:

- a line that holds only template actions (``{{- if }}``, ``{{ end }}``, ``{{- include .. | nindent 4 }}``)
  becomes blank; when the action prints something (include, toYaml, a value) we remember the line
  and the column its output lands at, so rules know a mapping there may hold keys we cannot see;
- a key whose value holds an action (``image: "{{ .Values.image }}"``) keeps the key and gets the
  raw template as a single-quoted string, which ``is_templated`` recognises;
- lines of ``{{ define }}`` blocks and of ``{{ else }}`` branches are blanked too, so one branch of
  an if/else is read (no duplicate keys) and the other counts as unseen output.

Values cannot be known: rules must treat templated strings and blanked content as unknown.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field

_ACTION = re.compile(r"\{\{.*?\}\}", re.S)
_HEAD = re.compile(r"\{\{-?\s*(/\*|\$[\w.]*\s*:?=|[a-z]+)?")
_INDENT = re.compile(r"\bn?indent\s+(\d+)")
_KEY = re.compile(r"^(?P<lead>[ \t]*(?:-[ \t]+)*)(?P<key>\"[^\"]*\"|'[^']*'|[^\s#'\"-][^#]*?|-[^\s][^#]*?)"
                  r"(?P<sep>:(?:[ \t]+|$))(?P<value>.*)$")
_ITEM = re.compile(r"^(?P<lead>[ \t]*(?:-[ \t]+)+)(?P<value>.*)$")
_MASK = "\0"
_OPENERS = {"if", "with", "range", "define", "block"}
_SILENT = {"if", "else", "end", "range", "with", "define", "break", "continue"}


@dataclass(frozen=True)
class HelmTemplate:
    """The sanitised text and what was lost on the way."""

    text: str
    skipped: int  # lines that held only template actions or unrendered branches
    injections: tuple[tuple[int, int], ...]  # (line, column) where unseen template output lands
    conditional: frozenset[int]  # lines inside an if/with/range block
    _lines_by_column: dict[int, list[int]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # rules ask once per mapping; a scan of every injection each time was quadratic in a big chart
        by_column: dict[int, list[int]] = {}
        for line, column in self.injections:
            by_column.setdefault(column, []).append(line)
        for lines in by_column.values():
            lines.sort()
        object.__setattr__(self, "_lines_by_column", by_column)

    def may_add_keys(self, first_line: int, last_line: int, column: int) -> bool:
        """Can template output add keys at ``column`` between these lines (inclusive)?"""
        lines = self._lines_by_column.get(column, [])
        at = bisect_left(lines, first_line)
        return at < len(lines) and lines[at] <= last_line


def is_templated(value: object) -> bool:
    """A value that came from a template action: its rendered content is unknown."""
    return isinstance(value, str) and "{{" in value


def _quote(raw: str) -> str:
    raw = raw.strip()
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "\"'":
        raw = raw[1:-1]
    return "'" + raw.replace("'", "''") + "'"


def _mask(text: str) -> tuple[str, list[tuple[int, int, str]]]:
    """Text with every action's characters (newlines kept) replaced by NUL, and the actions."""
    chars = list(text)
    actions = []
    for m in _ACTION.finditer(text):
        actions.append((m.start(), m.end(), m.group(0)))
        for i in range(m.start(), m.end()):
            if chars[i] != "\n":
                chars[i] = _MASK
    return "".join(chars), actions


def _word(action: str) -> str:
    m = _HEAD.match(action)
    word = (m.group(1) or "") if m else ""
    if word.startswith(("/*", "$")):
        return "silent"  # a comment or a variable assignment prints nothing
    return word


def _split_comment(masked: str) -> int:
    """Index where a trailing `` # comment`` starts in a masked value (len when none)."""
    m = re.search(r"(^|[ \t])#", masked)
    return m.start() if m else len(masked)


def _rewrite(line: str, masked: str) -> str:
    """A line that mixes YAML and actions: quote the templated key and/or value."""
    m = _KEY.match(masked)
    if m:
        lead, key, sep = m.group("lead"), line[m.start("key"):m.end("key")], m.group("sep")
        value_masked = m.group("value")
        cut = _split_comment(value_masked)
        raw = line[m.start("value"):m.start("value") + cut]
        value, comment = raw.rstrip(), raw[len(raw.rstrip()):] + line[m.start("value") + cut:]
        if _MASK in m.group("key"):
            key = _quote(key)
        if _MASK in value_masked[:cut]:
            value = _quote(value)
        return f"{lead}{key}{sep}{value}{comment}"
    m = _ITEM.match(masked)
    if m and _MASK in m.group("value"):
        start = m.start("value")
        raw = line[start:start + _split_comment(m.group("value"))]
        return f"{m.group('lead')}{_quote(raw)}{raw[len(raw.rstrip()):]}{line[start + len(raw):]}"
    return line


def sanitize_template(text: str) -> HelmTemplate:
    """Turn a Helm template into YAML that parses, line for line (see the module docstring)."""
    masked_text, actions = _mask(text)
    lines = text.split("\n")
    masked_lines = masked_text.split("\n")
    starts = []
    pos = 0
    for line in lines:
        starts.append(pos)
        pos += len(line) + 1
    out: list[str] = []
    injections: list[tuple[int, int]] = []
    conditional: set[int] = set()
    stack: list[list] = []  # [opener, in_else]
    skipped = 0
    ai = 0
    open_until = -1  # end offset of an action that began on an earlier line
    for no, (line, masked) in enumerate(zip(lines, masked_lines, strict=True), 1):
        begin, end = starts[no - 1], starts[no - 1] + len(line)
        mine = []
        while ai < len(actions) and actions[ai][0] <= end:
            mine.append(actions[ai][2])
            open_until = max(open_until, actions[ai][1])
            ai += 1
        continued = open_until > begin and not mine
        dead = any(opener == "define" or in_else for opener, in_else in stack)
        if stack:
            conditional.add(no)
        pure = bool(mine or continued) and not masked.replace(_MASK, "").strip()
        indent = len(line) - len(line.lstrip(" "))
        for action in mine:
            word = _word(action)
            if word in _OPENERS:
                stack.append([word, False])
            elif word == "else" and stack:
                stack[-1][1] = True
            elif word == "end" and stack:
                stack.pop()
            if word not in _SILENT and word != "silent" and pure:
                found = _INDENT.search(action)
                injections.append((no, int(found.group(1)) if found else indent))
        if pure or (dead and line.strip()):
            out.append("")
            skipped += 1
            if not pure and not line.lstrip().startswith("#"):
                injections.append((no, indent))
        elif mine:
            out.append(_rewrite(line, masked))
        else:
            out.append(line)
    return HelmTemplate("\n".join(out), skipped, tuple(injections), frozenset(conditional))
