"""The review's own text, inside a budget: counts, the findings outside the changed lines (per
file), the rest in ``<details>``, the findings below the inline severity in a collapsed Notes
section, and the run's own notes. What does not fit is counted, the text says where the full list
is, and the fingerprints of everything not listed are recorded (packed) so a rerun skips them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from reviewer.model import Finding
from reviewer.render.markdown import ICON, MAX_BODY_CHARS, Links, comment_parts, places, rule_refs
from reviewer.render.markers import defuse, inline_marker, marker, packed_capacity, packed_marker, packed_size
from reviewer.render.text import counts_line
from reviewer.routing import Route, Routed

# GitHub refuses a review body over 65,536 characters (MAX_BODY_CHARS) with a 422 that loses the
# whole review, comments included. We stop at 60,000: the publisher appends a run marker, and the
# room left covers any difference between our count (code points) and GitHub's.
MAX_REVIEW_BODY = 60_000
BODY_BUDGET = MAX_REVIEW_BODY - 200
REVIEW_MARKER = "<!-- arch-review:review -->"
WHERE_ALL = ("the job summary of this run lists them, and every finding is in SARIF (input `sarif-file`) "
             "and in `arch-review review --format json`")
MAX_ABOUT_CHARS = 8_000  # the run's own notes (skipped files, model errors): all of them are in the job summary
_RESERVE = 600  # the "not listed" and "not recorded" lines


def _size(lines: Iterable[str]) -> int:
    return sum(len(x) + 1 for x in lines)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def item(r: Routed, links: Links | None) -> str:
    f = r.finding
    where = f"`{f.path}:{f.line}`"
    if links is not None:
        where = f"[{where}]({links.line(f.path, f.line)})"
    rules = rule_refs(f, r.merged, links)
    others = len(places(f, r.also))
    more = f" (+{_plural(others, 'more place')})" if others else ""
    return f"- {ICON[f.severity]} **{f.severity.value}** {rules} {where}: {defuse(f.title)}{more} {marker(f)}"


@dataclass
class _Section:
    opening: list[str]
    closing: list[str]
    items: list[tuple[list[str], Routed]] = field(default_factory=list)  # (lines before the item, item)


def _sections(routed: Sequence[Routed]) -> list[_Section]:
    by_file = sorted((r for r in routed if r.route is Route.FILE), key=lambda r: (r.finding.path, r.finding.line,
                                                                               r.finding.rule_id))
    rest = sorted((r for r in routed if r.route in (Route.BODY, Route.REFUSED, Route.SUMMARY)),
                  key=lambda r: r.finding.sort_key)
    noted = sorted((r for r in routed if r.route is Route.NOTE), key=lambda r: r.finding.sort_key)
    out = []
    if by_file:
        section = _Section(["", "**Outside the changed lines**"], [])
        for i, r in enumerate(by_file):
            new_file = i == 0 or by_file[i - 1].finding.path != r.finding.path
            section.items.append((["", f"`{r.finding.path}`"] if new_file else [], r))
        out.append(section)
    for group, summary in ((rest, _plural(sum(r.size for r in rest), "more finding")),
                           (noted, f"Notes ({_plural(sum(r.size for r in noted), 'finding')} below the inline "
                                   "severity)")):
        if group:
            out.append(_Section(["", f"<details><summary>{summary}</summary>", ""], ["", "</details>"],
                                [([], r) for r in group]))
    return out


def _about(notes: Sequence[str]) -> list[str]:
    if not notes:
        return []
    lines, size = [], 0
    for note in notes:
        line = f"- {defuse(note)}"
        if size + len(line) > MAX_ABOUT_CHARS:
            lines.append(f"- … {_plural(len(notes) - len(lines), 'more note')} in the job summary")
            break
        lines.append(line)
        size += len(line) + 1
    return ["", "<details><summary>About this run</summary>", "", *lines, "", "</details>"]


def _counts(live: Sequence[Routed], extra: Sequence[str]) -> list[str]:
    findings: list[Finding] = [f for r in live for f in (r.finding, *r.folded)]
    if not findings:  # a review for the service-map change alone
        return ["### arch-review", "", "No new findings.", *extra]
    comments = sum(1 for r in live if r.route is Route.INLINE)
    inline = sum(r.size for r in live if r.route is Route.INLINE)
    noted = sum(r.size for r in live if r.route is Route.NOTE)
    listed = len(findings) - inline - noted
    parts = [f"{inline} inline" + (f" in {_plural(comments, 'comment')}" if comments != inline else "")]
    parts += [f"{listed} listed here"] if listed else []
    parts += [f"{noted} in Notes"] if noted else []
    return ["### arch-review", "", f"{counts_line(findings)}: {', '.join(parts)}.", *extra]


def review_body(routed: Sequence[Routed], links: Links | None, notes: Sequence[str] = (),
                extra: Sequence[str] = (), budget: int = BODY_BUDGET) -> str:
    """The body of one review, at most ``budget`` characters, however many findings there are."""
    live = [r for r in routed if r.route is not Route.EARLIER]
    sections = _sections(live)
    listed = [r for s in sections for _, r in s.items]
    unmarked = [f.fingerprint() for r in listed for f in r.folded]  # folded ones are never listed
    for r in live:
        if r.route is Route.INLINE:  # what an inline comment had no room to record
            unmarked += comment_parts(r.finding, r.merged, r.also, links=links)[1]
    about = _about(notes)
    comments = [r for r in live if r.route is Route.INLINE]
    mains = [r.finding.fingerprint() for r in comments]
    inline = inline_marker(mains)  # one a comment: always room for it
    lines = _counts(live, extra)
    size, reserve = _size(lines), _size(about) + len(REVIEW_MARKER) + len(inline) + _RESERVE
    pending = len(listed)  # listed items not yet placed: packed if left out
    left_out: list[Routed] = []
    for section in sections:
        opened = False
        for before, r in section.items:
            block = [*([] if opened else section.opening), *before, item(r, links)]
            cost = _size(block) + _size(section.closing)
            if left_out or size + cost + packed_size(len(unmarked) + pending - 1) + reserve > budget:
                left_out.append(r)
                unmarked.append(r.finding.fingerprint())
            else:
                lines += block
                size += _size(block)
                opened = True
            pending -= 1
        if opened:
            lines += section.closing
            size += _size(section.closing)
    if left_out:
        count = sum(r.size for r in left_out)
        lines += ["", f"_{_plural(count, 'more finding')} not listed here: GitHub limits a review body to "
                      f"{MAX_BODY_CHARS:,} characters; {WHERE_ALL}._"]
    lines += about
    unique = sorted(set(unmarked))
    room = packed_capacity(budget - _size(lines) - _size(["", "", "", inline, "", REVIEW_MARKER]) - _RESERVE // 2)
    if len(unique) > room:
        lines += ["", f"_{_plural(len(unique) - room, 'finding')} could not be recorded in this review: "
                      "a later run may list them again._"]
    if unique and room:
        lines += ["", packed_marker(unique[:room])]
    if inline:  # and what the comments fold in, as far as the room left allows
        folded = sorted({f.fingerprint() for r in comments for f in r.folded})
        room = packed_capacity(budget - _size(lines) - _size(["", "", REVIEW_MARKER]) - _RESERVE // 2)
        lines += ["", inline_marker([*mains, *folded][:max(room, len(mains))])]
    lines += ["", REVIEW_MARKER]
    return "\n".join(lines) + "\n"
