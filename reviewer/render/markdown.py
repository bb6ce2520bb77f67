"""Markdown that people read on GitHub: inline comment bodies, the review body, the CLI report.

Every finding we post carries a hidden marker (reviewer/render/markers.py) so a rerun can tell
what it already said: its own ``fp=`` marker, and a packed ``seen=`` marker for the findings it
stands for without listing them. Untrusted text (model output) cannot forge one: ``<!--`` and
``-->`` in it are defused.
"""

from __future__ import annotations

import base64
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import quote

from reviewer.classify import FileKind, kind_from_path
from reviewer.model import Finding, Report, Severity, Source
from reviewer.render.links import DocsSite
from reviewer.render.markers import defuse, marker, packed_capacity, packed_marker
from reviewer.render.text import counts_line
from reviewer.routing import Routed

# GitHub answers 422 "Body is too long (maximum is 65536 characters)" for issue, comment and review
# bodies: the number is in that error, not in the REST reference. We keep clear of it.
MAX_BODY_CHARS = 65_536
MAX_COMMENT_CHARS = MAX_BODY_CHARS - 1_000  # an inline comment: a margin for how GitHub counts
ALSO_SHOWN = 5  # places an "also in" line names before "and N more"

ICON = {Severity.ERROR: "🛑", Severity.WARNING: "⚠️", Severity.INFO: "\N{INFORMATION SOURCE}\ufe0f"}
_FENCE = {FileKind.PYTHON: "python", FileKind.DOCKERFILE: "dockerfile", FileKind.COMPOSE: "yaml",
          FileKind.K8S: "yaml", FileKind.HELM: "yaml", FileKind.OPENAPI: "yaml"}


@dataclass(frozen=True)
class Links:
    """Where a path and line can be opened on GitHub: ``{server}/{repo}/blob/{sha}/{path}#L{line}``,
    and where a rule's documentation is (``docs``: the arch-review repository and ref that runs)."""

    server_url: str
    repo: str
    sha: str
    docs: DocsSite | None = None

    def line(self, path: str, line: int) -> str:
        return f"{self.server_url.rstrip('/')}/{self.repo}/blob/{self.sha}/{quote(path)}#L{line}"


def rule_ref(finding: Finding, rule_id: str, links: Links | None) -> str:
    """A rule id in code type, linked to its documentation when it is one of our rules (the model's
    own ``llm-*`` ids have no page)."""
    if links is None or links.docs is None or finding.source is not Source.RULE:
        return f"`{rule_id}`"
    return f"[`{rule_id}`]({links.docs.rule_url(rule_id)})"


def rule_refs(finding: Finding, merged: Sequence[Finding], links: Links | None) -> str:
    first: dict[str, Finding] = {}
    for f in (finding, *merged):
        first.setdefault(f.rule_id, f)
    return " + ".join(rule_ref(f, rule_id, links) for rule_id, f in first.items())


def _fence(code: str, lang: str) -> str:
    longest = max((len(m) for m in re.findall(r"`+", code)), default=0)
    ticks = "`" * max(3, longest + 1)
    return f"{ticks}{lang}\n{code.rstrip()}\n{ticks}"


def _fix_lang(finding: Finding) -> str:
    """The fence language of the file the finding is in (a Dockerfile fix is a Dockerfile snippet)."""
    if finding.path.endswith((".yaml", ".yml")):
        return "yaml"
    return _FENCE.get(kind_from_path(finding.path) or FileKind.OTHER, "")


def _dedent(text: str) -> str:
    lines = text.strip("\n").splitlines()
    indent = min((len(ln) - len(ln.lstrip()) for ln in lines if ln.strip()), default=0)
    return "\n".join(ln[indent:] for ln in lines)


def heading(finding: Finding, merged: Sequence[Finding] = (), links: Links | None = None) -> str:
    origin = " · model" if finding.source is Source.LLM else ""
    return f"{ICON[finding.severity]} **{finding.severity.value}** · {rule_refs(finding, merged, links)}{origin}"


def places(finding: Finding, also: Sequence[Finding]) -> list[str]:
    """The other places of one cause, once each, without the place the comment is on."""
    seen = {(finding.path, finding.line)}
    out = []
    for f in also:
        if (f.path, f.line) not in seen:
            seen.add((f.path, f.line))
            out.append(f"`{defuse(f.path)}:{f.line}`")
    return out


def also_line(finding: Finding, also: Sequence[Finding], shown: int = ALSO_SHOWN) -> str:
    where = places(finding, also)
    if not where:
        return ""
    more = f", … and {len(where) - shown} more" if len(where) > shown else ""
    return f"**Also in:** {', '.join(where[:shown])}{more}"


def is_example(finding: Finding) -> bool:
    """The rule's stock example rather than a fix built from this finding's own names."""
    return finding.source is Source.RULE and finding.fix_is_example


def fix_label(finding: Finding) -> str:
    return "Example fix" if is_example(finding) else "Fix"


def suggestion_block(finding: Finding) -> str | None:
    """A GitHub ```suggestion block replacing the commented lines with the exact text; None when
    the finding has none, or when its text could forge our hidden markers (it is never altered)."""
    text = finding.suggestion
    if text is None or "<!--" in text or "-->" in text:
        return None
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    ticks = "`" * max(3, longest + 1)
    return f"{ticks}suggestion\n{text.rstrip(chr(10))}\n{ticks}" if text else f"{ticks}suggestion\n{ticks}"


def comment_parts(finding: Finding, merged: Sequence[Finding] = (), also: Sequence[Finding] = (),
                  limit: int = MAX_COMMENT_CHARS, links: Links | None = None) -> tuple[str, list[str]]:
    """One inline review comment (title, why, a fix snippet, the other places, the hidden markers)
    and the fingerprints it stood for but had no room to record (the review body records them)."""
    parts = [f"{heading(finding, merged, links)}\n\n**{defuse(finding.title)}**"]
    if finding.body:
        parts.append("**Why:** " + defuse(finding.body.strip()))
    suggestion = suggestion_block(finding)
    if finding.fix.strip() and (suggestion is None or _dedent(finding.fix) != _dedent(finding.suggestion or "")):
        parts.append(f"**{fix_label(finding)}**\n\n" + _fence(defuse(_dedent(finding.fix)), _fix_lang(finding)))
    if suggestion is not None:
        parts.append("**Suggested change** (one click: *Commit suggestion*)\n\n" + suggestion)
    if finding.confidence is not None:
        parts.append(f"<sub>model confidence {finding.confidence:.0%}</sub>")
    if also:
        parts.append(also_line(finding, also))
    parts.append(marker(finding))
    text = "\n\n".join(p for p in parts if p)
    folded = sorted({f.fingerprint() for f in (*merged, *also)} - {finding.fingerprint()})
    room = packed_capacity(limit - len(text) - 2)
    if folded and room:
        text += "\n" + packed_marker(folded[:room])
    return text, folded[room:]


def comment_body(finding: Finding, merged: Sequence[Finding] = (), also: Sequence[Finding] = (),
                 links: Links | None = None) -> str:
    return comment_parts(finding, merged, also, links=links)[0]


def comment_of(r: Routed, links: Links | None = None) -> str:
    return comment_body(r.finding, r.merged, r.also, links)


def render_report_markdown(report: Report) -> str:
    """The whole report as Markdown (``--format markdown``): per file, most severe first."""
    by_file: dict[str, list[Finding]] = defaultdict(list)
    for f in report.findings:
        by_file[f.path].append(f)
    files = len(report.files_reviewed)
    out = ["# arch-review", "", f"{counts_line(report.findings)} in {files} file{'s' if files != 1 else ''} "
           f"({report.rules_run} rules).", ""]
    for path in sorted(by_file):
        out += [f"## `{path}`", ""]
        for f in sorted(by_file[path], key=lambda x: (x.line, x.rule_id)):
            out += [f"### Line {f.line}: {defuse(f.title)}", "", heading(f), ""]
            if f.body:
                out += ["**Why:** " + defuse(f.body.strip()), ""]
            if f.fix.strip():
                out += [f"**{fix_label(f)}**", "", _fence(defuse(_dedent(f.fix)), _fix_lang(f)), ""]
    if report.notes:
        out += ["## Notes", "", *(f"- {defuse(n)}" for n in report.notes), ""]
    return "\n".join(out).rstrip("\n") + "\n"


# ---- the audit's tracking issue ------------------------------------------------------------------

TRACKING_MARKER = "<!-- arch-review:tracking-issue -->"
_TRACKED = re.compile(r"<!-- arch-review:tracked=([A-Za-z0-9+/=]*) -->")
# Fingerprints kept in the issue (to count new and fixed findings) are cut to 32 bits: 2,000 of
# them take 10.7 kB of the 65,536-character body. Past this many the counts are approximate.
MAX_TRACKED = 4_000


def short_fp(finding: Finding) -> str:
    return finding.fingerprint()[:8]


def pack_tracked(fps: Iterable[str]) -> str:
    data = b"".join(bytes.fromhex(fp) for fp in sorted(set(fps))[:MAX_TRACKED])
    return f"<!-- arch-review:tracked={base64.b64encode(data).decode()} -->"


def unpack_tracked(body: str | None) -> set[str] | None:
    """The short fingerprints stored by the last audit, or None when the body has none."""
    m = _TRACKED.search(body or "")
    if m is None:
        return None
    try:
        data = base64.b64decode(m.group(1), validate=True)
    except ValueError:
        return None
    return {data[i:i + 4].hex() for i in range(0, len(data) - 3, 4)}


@dataclass(frozen=True)
class AuditDelta:
    new: int
    fixed: int
    first: bool  # no earlier audit to compare with


def audit_delta(findings: Sequence[Finding], previous: set[str] | None) -> AuditDelta:
    current = {short_fp(f) for f in findings}
    if previous is None:
        return AuditDelta(len(current), 0, True)
    return AuditDelta(len(current - previous), len(previous - current), False)


def group_of(path: str, service_roots: Sequence[str] = ()) -> str:
    for root in sorted(service_roots, key=len, reverse=True):
        if path == root or path.startswith(root.rstrip("/") + "/"):
            return root.rstrip("/") + "/"
    return path.split("/", 1)[0] + "/" if "/" in path else "(repository root)"


def tracking_body(findings: Sequence[Finding], delta: AuditDelta, links: Links | None, run_url: str | None,
                  service_roots: Sequence[str] = (), service_map: str | None = None,
                  limit: int = MAX_BODY_CHARS) -> str:
    """Findings grouped by service (or top directory) and severity, inside GitHub's body limit."""
    since = "first audit" if delta.first else f"**{delta.new} new**, **{delta.fixed} fixed** since the last audit"
    commit = f" at `{links.sha[:12]}`" if links is not None else ""
    run = f" ([run]({run_url}))" if run_url else ""
    head = [TRACKING_MARKER, "## arch-review audit", "",
            f"{counts_line(list(findings))}{commit}; {since}{run}.", "",
            "This issue is kept up to date by the scheduled arch-review audit: it is edited in place "
            "and closed when everything is fixed.", ""]
    tail = ["", pack_tracked(short_fp(f) for f in findings)]
    if service_map and len(service_map) < limit // 8:
        tail = ["", "<details><summary>Service map</summary>", "", "```mermaid", service_map.rstrip(), "```", "",
                "</details>", *tail]
    budget = limit - 600 - sum(len(x) + 1 for x in head + tail)
    groups: dict[str, list[Finding]] = defaultdict(list)
    for f in findings:
        groups[group_of(f.path, service_roots)].append(f)
    body: list[str] = []
    shown = 0
    for name in sorted(groups, key=lambda g: (-max(f.severity.rank for f in groups[g]), g)):
        block = [f"### `{name}` ({len(groups[name])})"]
        for sev in (Severity.ERROR, Severity.WARNING, Severity.INFO):
            items = sorted((f for f in groups[name] if f.severity is sev), key=lambda f: (f.path, f.line, f.rule_id))
            if items:
                block += ["", f"**{sev.value}**", *(_tracked_item(f, links) for f in items)]
        block.append("")
        cost = sum(len(x) + 1 for x in block)
        if cost <= budget:
            body += block
            budget -= cost
            shown += len(groups[name])
            continue
        for line in block:  # a partial group, line by line
            if len(line) + 1 > budget:
                break
            body.append(line)
            budget -= len(line) + 1
            shown += line.startswith("- ")
        break
    if shown < len(findings):
        body += ["", f"_{len(findings) - shown} more findings not shown: GitHub limits an issue body to "
                     f"{MAX_BODY_CHARS:,} characters. The job summary{run} lists all of them._"]
    return "\n".join(head + body + tail) + "\n"


def _tracked_item(f: Finding, links: Links | None) -> str:
    where = f"`{f.path}:{f.line}`"
    if links is not None:
        where = f"[{where}]({links.line(f.path, f.line)})"
    return f"- {rule_ref(f, f.rule_id, links)} {where}: {defuse(f.title)}"


def all_fixed_body(previous: int, links: Links | None, run_url: str | None) -> str:
    commit = f" at `{links.sha[:12]}`" if links is not None else ""
    run = f" ([run]({run_url}))" if run_url else ""
    return "\n".join([TRACKING_MARKER, "## arch-review audit", "",
                      f"All {previous} findings tracked here are fixed{commit}{run}. Closing.", "",
                      pack_tracked([])]) + "\n"
