"""The words of the conversation: the "Fixed in" reply, command confirmations and answers, and how
our own comments and people's replies are read back (which rules a comment is about, whether a
reply dismisses it).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from reviewer.commands import Command, PrState, Verb
from reviewer.render.markers import defuse

FIXED_MARKER = "<!-- arch-review:fixed -->"
STATE_HEADING = "### arch-review"
# A reply that starts with one of these (case and punctuation aside) dismisses the comment it answers.
DISMISSAL_OPENINGS = ("won't fix", "wont fix", "false positive")
_HEADING_RULES = re.compile(r"`([a-z0-9]+(?:-[a-z0-9]+)+)`")


def fixed_reply(head_sha: str) -> str:
    return f"Fixed in `{head_sha[:7]}`.\n\n{FIXED_MARKER}\n"


def is_fixed_reply(body: str | None) -> bool:
    return FIXED_MARKER in (body or "")


def comment_rules(body: str | None) -> tuple[tuple[str, ...], bool]:
    """(rule ids, written from the model's review) of one of our inline comments, from its heading
    line: ``🔴 **error** · `rule-a` + `rule-b` · model``."""
    first = (body or "").split("\n", 1)[0]
    return tuple(_HEADING_RULES.findall(first)), first.rstrip().endswith("· model")


def is_dismissal(body: str | None) -> bool:
    """A reply that starts with "won't fix" or "false positive" (any case, after any mention or quote)."""
    text = (body or "").strip().lower().replace("\u2019", "'")  # a typographic apostrophe
    text = re.sub(r"^(?:>[^\n]*\n+|@[\w-]+[,:]?\s+)+", "", text).lstrip("*_ ")
    return text.startswith(DISMISSAL_OPENINGS)


def usage_comment(phrase: str) -> str:
    p = phrase
    return "\n".join([
        STATE_HEADING, "",
        f"`{p}` reviews this pull request again and posts only findings not posted before.", "",
        "| comment | what it does |", "|---|---|",
        f"| `{p}` | review the PR's changed files now (rules, plus Claude when an API key is set) |",
        f"| `{p} full` | the same, and also list the findings already present in the files the PR touches |",
        f"| `{p} pause` | stop the automatic reviews on pushes to this PR (`{p}` still reviews on request) |",
        f"| `{p} resume` | start them again, and review now |",
        f"| `{p} ignore <rule-id> [reason]` | no more comments of that rule on this PR; the reason is recorded |",
        f"| `{p} explain <rule-id>` | why the rule matters and how to fix what it finds |",
        f"| `{p} help` | this message |", "",
        "Only people with write access to the repository can use these. A 👎 on one of our comments, or a "
        "reply starting with \"won't fix\" or \"false positive\", dismisses it: it is not posted again on this "
        "PR, and the weekly audit counts it against the rule. Suppress a finding in the code with "
        "`# arch-review: ignore[rule-id] reason` on the line or the line above.",
    ]) + "\n"


def unknown_command(phrase: str, command: Command) -> str:
    return f"`{phrase} {defuse(command.words)[:80]}` is not a command I know.\n\n" + usage_comment(phrase)


def unknown_rule(rule_id: str) -> str:
    return (f"{STATE_HEADING}\n\nThere is no rule `{defuse(rule_id)[:80]}`. `arch-review rules` lists them, "
            "and the rule id is in the heading of each of our comments.\n")


def explain_comment(rule: Any) -> str:
    """A rule's what, why and fix (``rule`` is a ``reviewer.rules.registry.Rule``)."""
    fence = "````" if "```" in rule.fix else "```"
    return "\n".join([
        f"{STATE_HEADING} · `{rule.id}`", "",
        f"**{rule.title}** ({rule.severity.value}, {rule.category.value})", "",
        f"**Why:** {rule.why}", "",
        "**Fix:**", "", fence, rule.fix.strip("\n"), fence, "",
    ])


def confirmation(command: Command, state: PrState, by: str, phrase: str) -> str:
    """The short comment a state-changing command gets; it carries the new state in its marker."""
    if command.verb is Verb.PAUSE:
        text = (f"Paused by @{by}: pushes to this PR are not reviewed automatically. `{phrase}` still reviews "
                f"on request; `{phrase} resume` starts the automatic reviews again.")
    elif command.verb is Verb.RESUME:
        text = f"Resumed by @{by}: pushes to this PR are reviewed again. Reviewing now."
    else:
        why = f" Reason: {defuse(command.reason)}" if command.reason else ""
        text = f"`{command.rule_id}` is ignored on this PR from now on (by @{by}).{why}"
    return f"{STATE_HEADING}\n\n{text}\n\n{state.marker()}\n"


def ignored_note(counts: Mapping[str, int], state: PrState) -> list[str]:
    """One note per ignored rule that still found something on this PR."""
    notes = []
    for i in state.ignored:
        if counts.get(i.rule_id):
            why = f": {i.reason}" if i.reason else ""
            notes.append(f"{counts[i.rule_id]} finding(s) of `{i.rule_id}` not posted: ignored on this PR by "
                         f"@{i.by}{why}")
    return notes


def dismissal_section(stats: Mapping[str, tuple[int, int]], days: int) -> list[str]:
    """Per rule: how many of its PR comments people dismissed, of how many posted (most first)."""
    rows = sorted(((d, n, r) for r, (d, n) in stats.items() if d), key=lambda x: (-x[0], x[2]))
    if not rows:
        return []
    lines = ["", f"<details><summary>Dismissed on pull requests (last {days} days)</summary>", "",
             "| rule | dismissed | of comments |", "|---|---:|---:|"]
    lines += [f"| `{r}` | {d} | {n} |" for d, n, r in rows]
    lines += ["", "A rule dismissed often is a rule to tune: a 👎 or a \"won't fix\" / \"false positive\" "
                  "reply counts once per comment.", "", "</details>"]
    return lines
