"""One model review run: prepare the hunks, plan requests under the budget, send them with a bound on
concurrency, parse the answers, and account for usage. API trouble ends as notes, never as a crash."""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Protocol

from reviewer.config import ModelSettings
from reviewer.diff import ChangeSet
from reviewer.errors import ModelError
from reviewer.llm import ModelResult
from reviewer.llm.anthropic_client import Reply
from reviewer.llm.budget import FILL, Chunk, Estimator, apply_caps, estimate_cost, plan_chunks, price_for
from reviewer.llm.context import ContextPack, context_blocks, fit
from reviewer.llm.digest import service_digest
from reviewer.llm.parse import Parsed, Shown, parse_answer
from reviewer.llm.prompt import (
    TOOL_NAME,
    FileSection,
    build_user_message,
    guidance_for,
    neutralise,
    prepare_sections,
    section_text,
    system_prompt,
    tool_definition,
)
from reviewer.llm.redact import Redactor
from reviewer.model import Finding, ModelUsage
from reviewer.rules.registry import RuleContext

CALIBRATION_CHARS = 40_000  # enough text for the server's count to give a stable chars-per-token ratio
# The share of a request's room the diff hunks leave for the context pack; a chunk whose hunks leave
# more room gives the context all of it. Context is what gets trimmed, never the hunks.
CONTEXT_SHARE = 0.25


class ModelClient(Protocol):
    def count_tokens(self, *, system: list[dict[str, Any]], tools: list[dict[str, Any]],
                     messages: list[dict[str, Any]]) -> int | None: ...

    def create(self, *, system: list[dict[str, Any]], tools: list[dict[str, Any]], tool_choice: dict[str, Any],
               messages: list[dict[str, Any]], max_tokens: int, thinking: dict[str, Any] | None = None) -> Reply: ...


# Anthropic's thinking docs: "tool_choice options that force tool use return an error while thinking is
# on". Haiku 5.5 (our default) thinks adaptively unless told not to, so a forced call turns thinking off.
# Models whose thinking cannot be turned off get tool_choice auto; the system prompt still requires the
# tool, and an answer without it is a note (parse.py), never a crash.
ALWAYS_THINKING = ("claude-opus-5", "claude-fable", "claude-mythos", "claude-opus-4-7")


def tool_choice_for(model: str) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """(tool_choice, thinking) for ``model``; Bedrock/Vertex prefixes such as ``anthropic.`` are ignored."""
    bare = model.rsplit(".", 1)[-1] if model.startswith(("anthropic.", "us.", "eu.", "apac.")) else model
    if bare.startswith(ALWAYS_THINKING):
        return {"type": "auto"}, None
    return {"type": "tool", "name": TOOL_NAME}, {"type": "disabled"}


@dataclass
class _RunState:
    """Shared by the worker threads; every change happens under ``lock``."""

    usage: ModelUsage = field(default_factory=ModelUsage)
    parsed: Parsed = field(default_factory=Parsed)
    errors: list[str] = field(default_factory=list)
    not_reviewed: list[str] = field(default_factory=list)
    over_cap: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def spent_input(self) -> int:
        u = self.usage
        return u.input_tokens + u.cache_read_tokens + u.cache_write_tokens


def since_changes(changes: ChangeSet, since: ChangeSet) -> ChangeSet:
    """The PR's files as far as they changed after the last reviewed head: ``since``'s hunks (same
    head, so the same new-side line numbers) for the PR's files that ``since`` touches."""
    out = ChangeSet(base_sha=since.base_sha, head_sha=changes.head_sha)
    for path in changes.reviewable_paths:
        if path in since.files and since.files[path].hunks:
            out.files[path] = since.files[path]
    return out


def run_review(changes: ChangeSet, ctx: RuleContext, rule_findings: list[Finding], settings: ModelSettings,
               client: ModelClient, pr_title: str = "", pr_body: str = "",
               since: ChangeSet | None = None) -> ModelResult:
    """``since``: the diff from the last reviewed head to this head; the model then sees only its hunks."""
    started = time.monotonic()
    scope = "full"
    if since is not None:
        changes = since_changes(changes, since)
        scope = f"incremental, the hunks changed since {(since.base_sha or '?')[:7]} ({len(changes.files)} file(s))"
    prepared = prepare_sections(changes, ctx.project, rule_findings)
    notes = list(prepared.notes)
    if not prepared.sections:
        what = "since the last reviewed head" if since is not None else "to review"
        return ModelResult(notes=[*notes, f"model review ({scope}): no Python, compose, Dockerfile, Kubernetes "
                                  f"or Helm changes {what}"], usage=ModelUsage(scope=scope, reviewed_all=True))
    redactor = prepared.redactor
    digest = neutralise(redactor.text(service_digest(ctx.project, ctx.service_roots)))
    system = [{"type": "text", "text": system_prompt(), "cache_control": {"type": "ephemeral"}}]
    tools = [tool_definition()]
    all_paths = [s.path for s in prepared.sections]
    guidance, cut = guidance_for(all_paths, settings.instructions, settings.path_instructions)
    if cut:
        notes.append("model review: the repository guidance was cut to its size cap")
    fixed_chars = (len(system_prompt()) + len(json.dumps(tools))
                   + len(build_user_message([], digest, pr_title, pr_body, Redactor(), guidance=guidance)))

    estimator = Estimator()
    if settings.max_requests > 0:
        try:
            _calibrate(client, estimator, prepared.sections, digest, pr_title, pr_body, system, tools)
        except ModelError as exc:
            return _failed(str(exc), notes, started)
    room = int(settings.request_token_budget * FILL * estimator.chars_per_token) - fixed_chars
    reserve = int(max(0, room) * CONTEXT_SHARE)
    planned = plan_chunks(prepared.sections, fixed_chars + reserve, settings.request_token_budget, estimator)
    packs = _context_packs(planned.chunks, changes, ctx, redactor, room, estimator)
    plan = apply_caps(planned, settings.max_requests, settings.max_input_tokens)
    notes.extend(plan.notes)
    trimmed = sum(packs[id(c)].trimmed for c in plan.chunks)
    if trimmed:
        notes.append(f"model review: {trimmed} context block(s) left out to keep requests under the token budget")
    if not plan.chunks:
        return ModelResult(notes=notes, usage=ModelUsage(wall_seconds=time.monotonic() - started, scope=scope))

    # Built here, in one thread: the redactor counts as it goes.
    messages = [build_user_message(c.sections, digest, pr_title, pr_body, redactor, packs[id(c)].render(),
                                   guidance_for(c.paths, settings.instructions, settings.path_instructions)[0])
                for c in plan.chunks]
    state = _RunState()
    tool_choice, thinking = tool_choice_for(settings.name)

    def send(index: int) -> None:
        chunk = plan.chunks[index]
        with state.lock:
            if state.errors or state.spent_input >= settings.max_input_tokens:
                state.over_cap = state.over_cap or not state.errors
                state.not_reviewed.extend(chunk.paths)
                return
        try:
            reply = client.create(system=system, tools=tools, tool_choice=tool_choice,
                                  messages=[{"role": "user", "content": messages[index]}],
                                  max_tokens=settings.max_output_tokens, thinking=thinking)
        except ModelError as exc:
            with state.lock:
                state.errors.append(str(exc))
                state.not_reviewed.extend(chunk.paths)
            return
        parsed = parse_answer(reply.tool_inputs, reply.stop_reason, _shown(chunk, packs[id(chunk)]), ctx.project,
                              settings.min_confidence)
        with state.lock:
            _add_usage(state.usage, reply)
            state.parsed.add(parsed)

    workers = max(1, min(settings.concurrency, len(plan.chunks)))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="arch-review-model") as pool:
        list(pool.map(send, range(len(plan.chunks))))

    usage = state.usage
    usage.scope = scope
    usage.reviewed_all = not (state.errors or state.over_cap or state.parsed.malformed or planned.notes
                              or len(plan.chunks) < len(planned.chunks))
    usage.context_tokens = sum(estimator.tokens(packs[id(c)].chars) for c in plan.chunks) if usage.requests else 0
    usage.est_cost_usd = estimate_cost(settings.name, usage.input_tokens, usage.output_tokens,
                                       usage.cache_read_tokens, usage.cache_write_tokens)
    usage.wall_seconds = round(time.monotonic() - started, 3)
    if state.errors and not usage.requests:
        return _failed(state.errors[0], notes, started)
    if state.errors:
        notes.append(f"model review incomplete: {len(state.errors)} of {len(plan.chunks)} requests failed "
                     f"({state.errors[0]}); {len(state.not_reviewed)} file(s) got no model review")
    elif state.over_cap:
        notes.append(f"model review: {len(state.not_reviewed)} file(s) not sent, the run reached "
                     f"max-input-tokens ({settings.max_input_tokens})")
    if redactor.count:
        notes.append(f"model review: {redactor.count} secret-looking value(s) redacted before sending")
    notes.extend(state.parsed.notes(settings.min_confidence))
    if not price_for(settings.name)[1]:
        notes.append(f"model review: {settings.name} is not in the price table; cost estimated at Haiku prices")
    return ModelResult(findings=state.parsed.findings, notes=notes, usage=usage)


def _calibrate(client: ModelClient, estimator: Estimator, sections: list[FileSection], digest: str, pr_title: str,
               pr_body: str, system: list[dict[str, Any]], tools: list[dict[str, Any]]) -> None:
    """Ask the server to count a sample once; its ratio replaces the chars/3.5 guess for packing."""
    sample, size = [], 0
    for section in sections:
        sample.append(section)
        size += len(section.render())
        if size >= CALIBRATION_CHARS:
            break
    text = build_user_message(sample, digest, pr_title, pr_body, Redactor())
    counted = client.count_tokens(system=system, tools=tools, messages=[{"role": "user", "content": text}])
    estimator.calibrate(len(system[0]["text"]) + len(json.dumps(tools)) + len(text), counted)


def _context_packs(chunks: list[Chunk], changes: ChangeSet, ctx: RuleContext, redactor: Redactor, room: int,
                   estimator: Estimator) -> dict[int, ContextPack]:
    """Each chunk's context pack, fitted into the room its hunks leave; counted in the chunk's estimate."""
    from reviewer.llm.budget import section_chars

    packs: dict[int, ContextPack] = {}
    for chunk in chunks:
        blocks = context_blocks(ctx.project, ctx.service_roots, changes, chunk.paths, redactor.text)
        pack = fit(blocks, room - sum(section_chars(s) for s in chunk.sections))
        packs[id(chunk)] = pack
        chunk.est_tokens += estimator.tokens(pack.chars)
    return packs


def _shown(chunk: Chunk, pack: ContextPack) -> dict[str, Shown]:
    shown = {s.path: Shown(s.shown, section_text(s)) for s in chunk.sections}
    causes = pack.causes()
    for path, lines in pack.shown().items():
        text = tuple(sorted(lines.items()))
        if path in shown:
            shown[path] = Shown(shown[path].lines, shown[path].text + text)
        else:
            shown[path] = Shown(frozenset(), text, causes.get(path))
    return shown


def _add_usage(usage: ModelUsage, reply: Reply) -> None:
    usage.requests += 1
    usage.input_tokens += reply.input_tokens
    usage.output_tokens += reply.output_tokens
    usage.cache_read_tokens += reply.cache_read_tokens
    usage.cache_write_tokens += reply.cache_write_tokens


def _failed(error: str, notes: list[str], started: float) -> ModelResult:
    return ModelResult(notes=[*notes, f"model review failed: {error}; the rule findings are still reported"],
                       usage=ModelUsage(wall_seconds=round(time.monotonic() - started, 3)))
