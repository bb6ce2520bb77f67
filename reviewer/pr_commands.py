"""A trusted ``/arch-review <command>`` comment, answered, and what the PR's conversation adds to
a review (ignored rules, the service-map change, fixed and dismissed counts): the wiring between
the parsed command (``reviewer.commands``), its words (``reviewer.render.conversation``) and the
``Session``.

    accepted command -> 👀 on the comment -> help / explain: a reply, no review
                                          -> pause / ignore: a confirmation carrying the new state
                                          -> resume: a confirmation, then a review
                                          -> (bare) / full: a review
    unknown command -> the help, no reaction
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from reviewer.commands import PrState, Verb, parse_command
from reviewer.diff import ChangeSet
from reviewer.errors import PublishError
from reviewer.model import Report
from reviewer.render.conversation import (
    confirmation,
    explain_comment,
    ignored_note,
    unknown_command,
    unknown_rule,
    usage_comment,
)

if TYPE_CHECKING:
    from reviewer.action import Console
    from reviewer.github.event import Event
    from reviewer.github.publisher import PublishResult
    from reviewer.github.session import Session
    from reviewer.render.service_change import Drawn
    from reviewer.rules.registry import RuleContext

REVIEWING = frozenset({Verb.REVIEW, Verb.FULL, Verb.RESUME})


@dataclass(frozen=True)
class Answered:
    review: bool  # go on to review the PR now
    list_all: bool = False
    state: PrState = field(default_factory=PrState)


def answer(session: Session, event: Event, words: str, phrase: str, console: Console) -> Answered:
    from reviewer.rules.registry import REGISTRY, all_rules

    command = parse_command(words)
    if command.verb is Verb.UNKNOWN:
        session.reply(event, unknown_command(phrase, command))
        return Answered(review=False)
    try:
        session.acknowledge(event)
    except PublishError as exc:  # the acknowledgement is a courtesy; the command still runs
        console.warning(str(exc))
    if command.verb is Verb.HELP:
        session.reply(event, usage_comment(phrase))
        return Answered(review=False)
    if command.verb in (Verb.EXPLAIN, Verb.IGNORE):
        all_rules()
        rule = REGISTRY.get(command.rule_id)
        if rule is None:
            session.reply(event, unknown_rule(command.rule_id))
            return Answered(review=False)
        if command.verb is Verb.EXPLAIN:
            session.reply(event, explain_comment(rule))
            return Answered(review=False)
    assert event.pr_number is not None
    state = session.pr_state(event.pr_number)
    after = state.apply(command, event.commenter)
    if after != state:
        session.reply(event, confirmation(command, after, event.commenter, phrase))
        console.info(f"{command.verb.value} by {event.commenter}: recorded on the PR")
    elif command.verb not in REVIEWING:
        console.info(f"{phrase} {command.words}: nothing changed, the PR was already in that state")
    return Answered(review=command.verb in REVIEWING, list_all=command.verb is Verb.FULL, state=after)


def without_ignored(report: Report, state: PrState) -> Report:
    """The report without the rules ignored on this PR (``/arch-review ignore``), said in a note."""
    if not state.ignored:
        return report
    ignored = state.ignored_rules
    counts = Counter(f.rule_id for f in report.findings if f.rule_id in ignored)
    return replace(report, findings=[f for f in report.findings if f.rule_id not in ignored],
                   notes=[*report.notes, *ignored_note(counts, state)])


def drawn_change(ctx: RuleContext, service_roots: tuple[str, ...]) -> Drawn | None:
    """The service-map change, when the change can move the map and it did."""
    from reviewer.newness import model_inputs_changed

    if ctx.base is None or ctx.changes is None or not model_inputs_changed(ctx.changes, ctx.project, ctx.base):
        return None
    from reviewer.render.service_change import service_change
    from reviewer.services.build import build_service_model

    return service_change(build_service_model(ctx.base, service_roots), build_service_model(ctx.project,
                                                                                           service_roots))


def conversation_notes(result: PublishResult) -> list[str]:
    notes = []
    if result.fixed:
        notes.append(f"{result.fixed} earlier comment(s) fixed at this head: marked fixed, "
                     f"{result.resolved} thread(s) resolved")
    if result.dismissed:
        notes.append(f"{result.dismissed} comment(s) dismissed on this PR (👎 or \"won't fix\"): not posted again")
    return notes


def unread_paths(changes: ChangeSet, report: Report) -> frozenset[str]:
    """Files on the PR's head the rules did not read (unreadable, too large, excluded by the
    config): a finding absent there is not a finding fixed."""
    reviewed = set(report.files_reviewed)
    return frozenset(p for p in changes.reviewable_paths if p not in reviewed)
