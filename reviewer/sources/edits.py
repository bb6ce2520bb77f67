"""Text edits a finding can offer: its fix, built from the finding's own names, and, where the
change is local and mechanical, the exact replacement for the flagged lines ``line..end_line``
(posted as a one-click GitHub ```` ```suggestion ````).

Replacements are built from the file's own lines, so indentation, quoting and trailing comments
stay exactly as written; a builder that cannot be sure returns no suggestion, never a guess.
The sources that read each kind of file (dockerfile_fixes, compose_fixes, k8s_fixes,
python_fixes) call these helpers; rules only pass the result on.
"""

from __future__ import annotations

import re
from typing import TypedDict

PIN = "<pin a version>"  # where we cannot know the version, the fix says so in the tag


class Remedy(TypedDict, total=False):
    """Keyword arguments of ``Hit`` about the fix: ``Hit(line, detail, **remedy)``."""

    fix: str
    suggestion: str
    end_line: int


def remedy(fix: str, suggestion: str | None = None, *, line: int = 0, end_line: int | None = None) -> Remedy:
    """A fix, plus a suggestion replacing ``line..end_line`` when there is one."""
    out: Remedy = {"fix": fix}
    if suggestion is not None:
        out["suggestion"] = suggestion
        if end_line is not None and end_line > line:
            out["end_line"] = end_line
    return out


def indent_of(text: str) -> str:
    return text[: len(text) - len(text.lstrip(" \t"))]


def line_at(lines: list[str], line: int) -> str | None:
    """The 1-based line, or None outside the file."""
    return lines[line - 1] if 0 < line <= len(lines) else None


def apply_suggestion(text: str, line: int, end_line: int | None, suggestion: str) -> str:
    """``text`` with lines ``line..end_line`` replaced by ``suggestion``, as GitHub applies it."""
    lines = text.splitlines()
    last = end_line or line
    out = [*lines[: line - 1], *suggestion.splitlines(), *lines[last:]]
    return "\n".join(out) + ("\n" if text.endswith("\n") else "")


def split_comment(text: str) -> tuple[str, str]:
    """(code, trailing comment with the space before it) of a YAML line. A ``#`` inside quotes is
    not a comment; an unclosed quote keeps the whole line as code (we do not guess)."""
    quote = None
    for i, ch in enumerate(text):
        if quote is not None:
            quote = None if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (i == 0 or text[i - 1] in " \t"):
            code = text[:i].rstrip()
            return code, text[len(code):]
    return text, ""


def dedent_block(text: str) -> str:
    """A suggestion shown as a fix: its common indentation removed."""
    lines = text.splitlines()
    cut = min((len(ln) - len(ln.lstrip()) for ln in lines if ln.strip()), default=0)
    return "\n".join(ln[cut:] for ln in lines)


def insert_under(lines: list[str], key_line: int, child_line: int | None, block: list[str]) -> str | None:
    """The YAML key line followed by ``block`` at the indentation of its children (``child_line``,
    or two more spaces when it has none yet); None when the key does not open a block mapping."""
    key = line_at(lines, key_line)
    if key is None or not split_comment(key)[0].rstrip().endswith(":"):
        return None
    child = line_at(lines, child_line) if child_line else None
    if child is None or child_line == key_line:
        indent = indent_of(key) + "  "
    else:
        indent = indent_of(child)
        if child.lstrip().startswith("- ") or len(indent) <= len(indent_of(key)):
            return None
    return "\n".join([key, *(indent + b for b in block)])


def set_scalar(text: str, key: str, value: str) -> str | None:
    """The YAML line ``key: old`` with ``value`` in place of ``old`` (indentation, a ``- `` list
    marker and a trailing comment kept); None when the line is not that key with a plain value."""
    code, comment = split_comment(text)
    m = re.match(rf"^(\s*(?:-\s+)?)([\"']?){re.escape(key)}\2(\s*:\s+)([\"']?)([^\"'{{}}\[\]]+)\4$", code)
    if m is None:
        return None
    return f"{m.group(1)}{m.group(2)}{key}{m.group(2)}{m.group(3)}{m.group(4)}{value}{m.group(4)}{comment}"
