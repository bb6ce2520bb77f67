"""What the model is shown: the prompt files (top-level ``prompts/``, shipped as ``reviewer.prompts``),
the hunks of relevant files with their new-side line numbers, a compact service digest, the context
pack, the repository's guidance and the rule findings, all redacted and inside fixed delimiters."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path
from string import Template
from typing import Any

from reviewer.classify import FileKind
from reviewer.diff import ChangeSet, FileStatus, Hunk
from reviewer.llm.redact import Redactor
from reviewer.model import Finding
from reviewer.project import Project, SourceFile

TOOL_NAME = "report_findings"
TOOL_DESCRIPTION = ("Report the architecture review findings for the diff shown. Call exactly once; "
                    "pass an empty list when nothing is worth a comment.")
# Kinds worth the model's attention; OpenAPI/env/other files stay with the rules.
MODEL_KINDS = frozenset({FileKind.PYTHON, FileKind.COMPOSE, FileKind.DOCKERFILE, FileKind.K8S, FileKind.HELM})
MAX_LINE_CHARS = 400  # minified or generated lines carry no architecture
MAX_TITLE_CHARS, MAX_BODY_CHARS = 300, 6_000
MAX_DIGEST_LINES = 60

DELIMITERS = ("untrusted_pr_title", "untrusted_pr_body", "service_digest", "context", "repository_guidance",
              "rule_findings", "diff")
_LOOKALIKE = re.compile(
    r"<(\s*/?\s*)(untrusted[\w-]*|service_digest|context|repository_guidance|rule_findings|diff)(?=[\s>/]|$)", re.I)
PROMPT_FILES = ("architect.system.md", "review.user.md", "findings.schema.json")


def prompts_dir() -> Traversable:
    """The prompt files: the installed ``reviewer.prompts`` package (wheel, image), else the checkout's
    top-level ``prompts/`` folder (an editable install maps no package there)."""
    try:
        return resources.files("reviewer.prompts")
    except ModuleNotFoundError:
        return Path(__file__).resolve().parents[2] / "prompts"


@cache
def _prompt_file(name: str) -> str:
    return prompts_dir().joinpath(name).read_text(encoding="utf-8")


def system_prompt() -> str:
    return _prompt_file("architect.system.md")


def user_template() -> Template:
    return Template(_prompt_file("review.user.md"))


@cache
def findings_schema() -> dict[str, Any]:
    return json.loads(_prompt_file("findings.schema.json"))


def tool_definition() -> dict[str, Any]:
    return {"name": TOOL_NAME, "description": TOOL_DESCRIPTION, "input_schema": findings_schema()}


def neutralise(text: str) -> str:
    """Untrusted text cannot open or close our delimiters: ``</diff>`` becomes U+2039 + ``/diff>``."""
    return _LOOKALIKE.sub(lambda m: "\u2039" + m.group(1) + m.group(2), text)


@dataclass(frozen=True)
class HunkText:
    start: int
    end: int
    lines: tuple[str, ...]  # rendered: "   42 + code"
    shown: frozenset[int]

    def render(self) -> str:
        return "\n".join((f"@@ lines {self.start}-{self.end} @@", *self.lines))


@dataclass
class FileSection:
    """One file as the model sees it: a header, its hunks, and the rule findings already on it."""

    path: str
    header: str
    hunks: list[HunkText]
    rule_lines: list[str] = field(default_factory=list)
    total_hunks: int = 0
    note: str | None = None  # set when the budget cut the file short

    @property
    def shown(self) -> frozenset[int]:
        return frozenset().union(*(h.shown for h in self.hunks)) if self.hunks else frozenset()

    def render(self) -> str:
        parts = [self.header, *(h.render() for h in self.hunks)]
        if len(self.hunks) < self.total_hunks:
            parts.append(f"(further changes in this file were left out: {self.total_hunks - len(self.hunks)} "
                         "more hunks)")
        return "\n".join(parts)


def _render_line(number: int | None, text: str, mark: str) -> str:
    if len(text) > MAX_LINE_CHARS:
        text = text[:MAX_LINE_CHARS] + " …(line cut)"
    return f"{'' if number is None else number:>5} {mark} {neutralise(text)}"


def _hunk_lines(h: Hunk, numbers: list[int], redacted_lines: list[str],
                redact: Callable[[str], str]) -> tuple[str, ...]:
    """New-side lines with their numbers (``+`` when added), and the deleted lines, unnumbered with
    ``-``, where they stood: what a change takes away (a timeout, a retry) matters to a reviewer."""
    texts = [text for _, text in h.removed]
    cleaned = redact("\n".join(texts)).split("\n") if texts else []  # one pass: key blocks span lines
    if len(cleaned) != len(texts):  # the redactor keeps line counts; never show the raw lines if not
        cleaned = ["[redacted]"] * len(texts)
    gone: dict[int, list[str]] = {}
    for (after, _), text in zip(h.removed, cleaned, strict=True):
        gone.setdefault(after, []).append(text)
    out = [_render_line(None, t, "-") for t in gone.get(numbers[0] - 1, ())]
    for n in numbers:
        out.append(_render_line(n, redacted_lines[n - 1], "+" if n in h.added else " "))
        out.extend(_render_line(None, t, "-") for t in gone.get(n, ()))
    return tuple(out)


def file_section(f: SourceFile, change, redacted_lines: list[str],
                 redact: Callable[[str], str] = lambda text: text) -> FileSection:
    status = change.status.value
    if change.status is FileStatus.RENAMED and change.old_path:
        status = f"renamed from {neutralise(change.old_path)}"
    header = f"file: {neutralise(f.path)}  ({f.kind.value}, {status})"
    hunks = []
    for h in sorted(change.hunks, key=lambda h: h.target_start):
        numbers = sorted(n for n in h.visible if 0 < n <= len(redacted_lines))
        if not numbers:
            continue
        lines = _hunk_lines(h, numbers, redacted_lines, redact)
        hunks.append(HunkText(numbers[0], numbers[-1], lines, frozenset(numbers)))
    return FileSection(f.path, header, hunks, total_hunks=len(hunks))


def rule_line(finding: Finding) -> str:
    return f"- {finding.path}:{finding.line} [{finding.rule_id}] {finding.title}"


@dataclass
class Prepared:
    sections: list[FileSection]
    notes: list[str]
    redactor: Redactor


def prepare_sections(changes: ChangeSet, project: Project, rule_findings: list[Finding]) -> Prepared:
    """Every relevant changed file with hunks, redacted, in path order (related files stay together)."""
    redactor = Redactor()
    by_path: dict[str, list[Finding]] = {}
    for finding in rule_findings:
        by_path.setdefault(finding.path, []).append(finding)
    sections, no_hunks = [], []
    for path in sorted(changes.reviewable_paths):
        f = project.get(path)
        change = changes.files[path]
        if f is None or f.kind not in MODEL_KINDS:
            continue
        if not change.hunks:
            no_hunks.append(path)
            continue
        section = file_section(f, change, redactor.text(f.text).split("\n"), redactor.text)
        if section.hunks:
            section.rule_lines = [redactor.line(neutralise(rule_line(x))) for x in sorted(by_path.get(path, []),
                                                                                     key=lambda x: x.line)]
            sections.append(section)
    notes = []
    if no_hunks:
        notes.append(f"model review: {len(no_hunks)} file(s) without a diff were not sent ({_names(no_hunks)})")
    return Prepared(sections, notes, redactor)


def _names(paths: list[str], limit: int = 3) -> str:
    shown = ", ".join(paths[:limit])
    return shown + (f" and {len(paths) - limit} more" if len(paths) > limit else "")


def build_user_message(sections: list[FileSection], digest: str, pr_title: str, pr_body: str,
                       redactor: Redactor, context: str = "", guidance: str = "") -> str:
    rule_lines = [line for s in sections for line in s.rule_lines]
    text = user_template().substitute(
        pr_title=_untrusted(pr_title, MAX_TITLE_CHARS, redactor) or "(none)",
        pr_body=_untrusted(pr_body, MAX_BODY_CHARS, redactor) or "(none)",
        service_digest=digest or "(not available)",
        context=neutralise(context) or "(none)",
        guidance=neutralise(guidance) or "(none)",
        rule_findings="\n".join(rule_lines) or "(none)",
        diff="\n\n".join(s.render() for s in sections),
    )
    return redactor.text(text)  # a second pass over the whole message is cheap insurance


_SHOWN_LINE = re.compile(r"^ *(\d*) ([+ -]) (.*)$")


def section_text(section: FileSection) -> tuple[tuple[int, str], ...]:
    """(line number, text) of every line the model was shown of a file; a deleted line carries the
    number of the line it stood after, so evidence quoting what a change removed is found near it."""
    out, last = [], 0
    for hunk in section.hunks:
        last = hunk.start - 1
        for rendered in hunk.lines:
            m = _SHOWN_LINE.match(rendered)
            if m is None:
                continue
            if m.group(1):
                last = int(m.group(1))
            out.append((last, m.group(3)))
    return tuple(out)


MAX_GUIDANCE_CHARS = 6_000  # the whole repository-guidance block of one request


def guidance_for(paths: list[str], instructions: str,
                 path_instructions: tuple[tuple[tuple[str, ...], str], ...]) -> tuple[str, bool]:
    """The repository guidance for a request holding ``paths`` (config ``model.instructions`` and the
    ``model.path-instructions`` whose globs match one of them), capped; and whether it was cut."""
    from reviewer.config import PathGlobs

    parts = [instructions.strip()] if instructions.strip() else []
    for globs, text in path_instructions:
        matcher = PathGlobs.of(globs)
        hit = [p for p in paths if matcher.match(p)]
        if hit and text.strip():
            parts.append(f"For {', '.join(globs)}: {text.strip()}")
    joined = "\n\n".join(parts)
    if len(joined) > MAX_GUIDANCE_CHARS:
        return joined[:MAX_GUIDANCE_CHARS] + " …(cut)", True
    return joined, False


def _untrusted(text: str, limit: int, redactor: Redactor) -> str:
    text = (text or "").strip()
    if len(text) > limit:
        text = text[:limit] + " …(cut)"
    return neutralise(redactor.text(text))
