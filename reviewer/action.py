"""The Action's composition root: environment -> wiring -> exit code.

    main(env) ── inputs + event ── decide() ─┬─ REVIEW / COMMENT_TRIGGER ── review the PR, post ONE review
                                             ├─ AUDIT ── audit the workspace, keep ONE tracking issue
                                             └─ SKIP ── say why, exit 0
Everything user-visible goes through ``Console`` (secrets redacted) and the job summary.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from reviewer.config import DEFAULT_CONFIG_PATH, load_config_file, load_config_text, parse_fail_on
from reviewer.errors import PublishError, ReadOnlyTokenError, ReviewerError, UsageError
from reviewer.model import Finding, Report, Severity, at_or_above
from reviewer.render.annotations import escape_data, not_annotated, render_annotations
from reviewer.render.links import DocsSite
from reviewer.render.markdown import Links
from reviewer.render.markers import model_head_marker
from reviewer.render.summary import render_summary
from reviewer.render.text import pre_existing_line
from reviewer.routing import Placement, Routed, plan_review
from reviewer.rules.registry import RuleContext
from reviewer.workspace.paths import contained, write_text_no_follow

if TYPE_CHECKING:
    from reviewer.diff import ChangeSet
    from reviewer.github.event import Event
    from reviewer.github.session import Session

DEFAULT_TRIGGER = "/arch-review"


@dataclass(frozen=True)
class Inputs:
    token: str
    api_key: str
    model: str
    config_path: str
    mode: str
    fail_on: Severity | None
    max_comments: int | None
    sarif_file: str
    trigger_phrase: str

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Inputs:
        def get(name: str, default: str = "") -> str:
            value = env.get(f"INPUT_{name.upper()}", env.get(f"INPUT_{name.upper().replace('-', '_')}", ""))
            return value.strip() or default

        raw_max = get("max-comments")
        try:
            max_comments = int(raw_max) if raw_max else None
        except ValueError:
            raise UsageError(f"max-comments must be a whole number, not {raw_max!r}") from None
        if max_comments is not None and max_comments < 0:
            raise UsageError("max-comments must be 0 or more")
        try:
            fail_on = parse_fail_on(get("fail-on", "none"))
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        return cls(token=get("github-token"), api_key=get("anthropic-api-key"), model=get("model"),
                   config_path=get("config", DEFAULT_CONFIG_PATH), mode=get("mode", "auto"), fail_on=fail_on,
                   max_comments=max_comments, sarif_file=get("sarif-file"),
                   trigger_phrase=get("trigger-phrase", DEFAULT_TRIGGER))


@dataclass(frozen=True)
class Runner:
    """What the runner tells us about where we are."""

    event_name: str
    event_path: str
    repository: str
    api_url: str
    server_url: str
    workspace: Path | None
    sha: str
    output: str
    summary: str
    run_url: str | None
    temp: Path | None = None  # RUNNER_TEMP: the one place outside the workspace we may write to
    docs: DocsSite = field(default_factory=DocsSite)  # rule docs of the arch-review repo and ref we run

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Runner:
        server = env.get("GITHUB_SERVER_URL") or "https://github.com"
        repo = env.get("GITHUB_REPOSITORY", "")
        run_id = env.get("GITHUB_RUN_ID")
        return cls(event_name=env.get("GITHUB_EVENT_NAME", ""), event_path=env.get("GITHUB_EVENT_PATH", ""),
                   repository=repo, api_url=env.get("GITHUB_API_URL") or "https://api.github.com",
                   server_url=server, workspace=Path(env["GITHUB_WORKSPACE"]) if env.get("GITHUB_WORKSPACE") else None,
                   sha=env.get("GITHUB_SHA", ""), output=env.get("GITHUB_OUTPUT", ""),
                   summary=env.get("GITHUB_STEP_SUMMARY", ""),
                   run_url=f"{server}/{repo}/actions/runs/{run_id}" if run_id and repo else None,
                   temp=Path(env["RUNNER_TEMP"]) if env.get("RUNNER_TEMP") else None,
                   docs=DocsSite.from_env(env))

    def sarif_target(self, sarif_file: str) -> Path | None:
        """Where ``sarif-file`` goes: inside the workspace (or RUNNER_TEMP), through no symlink the
        PR may have committed; a UsageError otherwise."""
        if not sarif_file:
            return None
        roots = [self.workspace or Path.cwd(), *([self.temp] if self.temp else [])]
        return contained(sarif_file, roots, "input sarif-file")


class Console:
    """stdout for the job log; every line passes through secret redaction."""

    def __init__(self, out: TextIO, secrets: list[str]) -> None:
        self.out = out
        self.secrets = [s for s in secrets if s and len(s) >= 4]

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return text

    def write(self, text: str) -> None:
        if text:
            self.out.write(self.redact(text))
            self.out.flush()

    def info(self, message: str) -> None:
        self.write(f"arch-review: {message}\n")

    def warning(self, message: str) -> None:
        self.write(f"::warning::{escape_data(self.redact(message))}\n")

    def error(self, message: str) -> None:
        self.write(f"::error::{escape_data(self.redact(message))}\n")


@dataclass
class Outcome:
    """What a job produced, for the summary, outputs and exit code."""

    report: Report
    routed: list[Routed] | None = None
    notes: list[str] | None = None
    review_url: str | None = None
    service_map: str | None = None
    fail_on: Severity | None = None


def main(env: Mapping[str, str], out: TextIO | None = None, *, sleep: Callable[[float], None] = time.sleep,
         write_pause: float | None = None) -> int:
    """``sleep``: how retries wait; ``write_pause``: seconds between API writes (None: GitHub's advice,
    github/client.py); tests record the waits and write at once."""
    out = out or sys.stdout
    secrets = [env.get("INPUT_GITHUB-TOKEN", ""), env.get("INPUT_ANTHROPIC-API-KEY", ""),
               env.get("INPUT_GITHUB_TOKEN", ""), env.get("INPUT_ANTHROPIC_API_KEY", "")]
    console = Console(out, secrets)
    try:
        return _run(env, console, sleep, write_pause)
    except ReviewerError as exc:
        console.error(f"arch-review: {exc}")
        return exc.exit_code
    except Exception as exc:  # the one broad except: no traceback reaches the user
        console.error(f"arch-review failed unexpectedly: {type(exc).__name__}: {exc}")
        return 2


def _run(env: Mapping[str, str], console: Console, sleep: Callable[[float], None], write_pause: float | None) -> int:
    from reviewer.github.event import Event, Mode, decide

    inputs = Inputs.from_env(env)
    runner = Runner.from_env(env)
    runner.sarif_target(inputs.sarif_file)  # refuse a bad sarif-file before any API call
    event = Event.load(runner.event_name, runner.event_path)
    mode, reason = decide(event, inputs.mode, inputs.trigger_phrase)
    if mode is Mode.SKIP:
        console.info(f"nothing to do: {reason}")
        return 0
    console.info(f"{mode.value}: {reason}")
    session = _session(inputs, runner, sleep, write_pause)
    if mode is Mode.AUDIT:
        outcome = _audit(inputs, runner, console, session)
    else:
        outcome = _review(inputs, runner, event, mode is Mode.COMMENT_TRIGGER, console, session,
                          env.get("ANTHROPIC_BASE_URL") or None)
        if outcome is None:
            return 0
    return _finish(outcome, inputs, runner, console)


def _session(inputs: Inputs, runner: Runner, sleep: Callable[[float], None], write_pause: float | None) -> Session:
    from reviewer.github.session import PyGithubSession

    return PyGithubSession(inputs.token, runner.api_url, runner.repository, sleep, write_pause)


def _known_rules() -> set[str]:
    from reviewer.rules.registry import rule_ids

    return rule_ids()


def _review(inputs: Inputs, runner: Runner, event: Event, by_comment: bool, console: Console,
            session: Session, env_base_url: str | None = None) -> Outcome | None:
    from reviewer.engine import review_change, with_model_review
    from reviewer.github.event import trigger_command
    from reviewer.pr_commands import answer, conversation_notes, drawn_change, unread_paths, without_ignored

    assert event.pr_number is not None
    if by_comment:
        trusted, why = session.trusted(event)
        if not trusted:
            console.info(f"ignored {inputs.trigger_phrase} from {event.commenter}: {why}; "
                         "only people with write access can trigger a review")
            return None
        answered = answer(session, event, trigger_command(event.comment_body, inputs.trigger_phrase) or "",
                          inputs.trigger_phrase, console)
        if not answered.review:
            return None
        list_all, state = answered.list_all, answered.state
    else:
        list_all, state = False, session.pr_state(event.pr_number)
        if state.paused:
            console.info(f"automatic reviews are paused on PR #{event.pr_number} by {state.paused_by}; "
                         f"comment `{inputs.trigger_phrase} resume` to start them again")
            _append(runner.summary, f"### arch-review\n\nAutomatic reviews are paused on this PR (by "
                                    f"@{state.paused_by}): nothing was reviewed. Comment "
                                    f"`{inputs.trigger_phrase} resume` to start them again.\n")
            return None
    info, change = session.open_pull(event.pr_number, runner.workspace)
    config = load_config_text(session.read_config(inputs.config_path, info.base_ref), inputs.config_path,
                              _known_rules())
    report, ctx = review_change(change.changes, change.head, config, base=change.base)
    extra: list[str] = []
    if inputs.api_key:
        since = _model_since(session, info.head_sha, list_all, config.model.enabled, report.notes)
        report = with_model_review(report, ctx, config, inputs.api_key, model_name=inputs.model,
                                   pr_title=info.title, pr_body=info.body, base_url=env_base_url, since=since)
        if report.usage is not None and report.usage.reviewed_all:
            extra.append(model_head_marker(info.head_sha))  # the next push sends only what changed after it
    if list_all or config.list_pre_existing:
        report = report.listing_all()
    old = pre_existing_line(report, f"comment `{inputs.trigger_phrase} full` to list them here; "
                                    "`arch-review audit` lists the whole repository")
    if old:
        report.notes.insert(0, old)
    if report.comparison:
        report.notes.append(report.comparison)
    present = {f.fingerprint() for f in (*report.findings, *report.pre_existing)}
    report = without_ignored(report, state)
    findings = report.findings
    max_inline = inputs.max_comments if inputs.max_comments is not None else config.max_comments
    links = Links(runner.server_url, runner.repository, info.head_sha, runner.docs)
    outcome = Outcome(report, None, [], fail_on=inputs.fail_on or config.fail_on)
    try:
        result = session.publish(findings, change.changes, max_inline, report.notes, links,
                                 min_inline=config.min_inline_severity, extra=extra, present=present,
                                 skip_rules=state.ignored_rules, unread=unread_paths(change.changes, report),
                                 drawn=drawn_change(ctx, config.service_roots))
    except ReadOnlyTokenError as exc:
        console.write(render_annotations(findings))
        outcome.notes = [f"{exc}; findings are in this summary and in the annotations", *_annotation_note(findings)]
        outcome.routed = plan_review(findings, None, Placement(0))
        return outcome
    outcome.notes = [*conversation_notes(result), *result.notes]
    outcome.routed = result.routed  # the summary says what was posted, after any 422 demotion
    if result.posted:
        console.info(f"posted a review with {result.new} new finding(s): {result.url}")
        outcome.review_url = result.url
    elif findings:
        console.info(f"all {len(findings)} finding(s) were posted by an earlier run; nothing new to post")
    else:
        console.info("no findings; nothing posted")
    return outcome


def _model_since(session: Session, head_sha: str, full: bool, enabled: bool, notes: list[str]) -> ChangeSet | None:
    """The diff since the head the model last reviewed on this PR, or None for a full model review
    (``/arch-review full``, no earlier model review, a force-push), with a note saying why."""
    if not enabled:
        return None
    if full:
        notes.append("model review: full, as `full` asked")
        return None
    try:
        since, why = session.model_since(head_sha)
    except PublishError as exc:
        since, why = None, f"the earlier reviews could not be read ({exc})"
    if since is None and why:
        notes.append(f"model review: full ({why})")
    return since


def _annotation_note(findings: list[Finding]) -> list[str]:
    hidden = not_annotated(findings)
    if not hidden:
        return []
    return [f"{hidden} finding{'s' if hidden != 1 else ''} beyond the runner's 10 annotations per type "
            "are only in this summary"]


def _audit(inputs: Inputs, runner: Runner, console: Console, session: Session) -> Outcome:
    from reviewer.engine import audit_tree
    from reviewer.workspace.files import DirectorySource

    if runner.workspace is None or not runner.workspace.is_dir():
        raise UsageError("GITHUB_WORKSPACE is not a directory: check out the repository before arch-review")
    config = load_config_file(runner.workspace / inputs.config_path, inputs.config_path, _known_rules(),
                              runner.workspace)
    report, ctx = audit_tree(DirectorySource(runner.workspace), config)
    service_map = _service_map(ctx)
    outcome = Outcome(report, None, [], service_map=service_map, fail_on=inputs.fail_on or config.fail_on)
    links = Links(runner.server_url, runner.repository, runner.sha, runner.docs) if runner.sha else None
    try:
        result = session.sync_tracking_issue(report.findings, links, runner.run_url, config.service_roots,
                                             service_map)
    except ReadOnlyTokenError as exc:
        console.write(render_annotations(report.findings))
        outcome.notes = [f"{exc}; give the workflow `issues: write` to keep the tracking issue",
                         *_annotation_note(report.findings)]
        return outcome
    if result.action != "none":
        console.info(f"tracking issue {result.action}: {result.url} ({result.new} new, {result.fixed} fixed)")
        outcome.notes = [f"tracking issue {result.action}: {result.url}"]
    return outcome


def _service_map(ctx: RuleContext) -> str | None:
    try:
        from reviewer.render.mermaid import render_service_map
    except ImportError:
        return None
    return render_service_map(ctx.project) or None


def _finish(outcome: Outcome, inputs: Inputs, runner: Runner, console: Console) -> int:
    report = outcome.report
    outputs = {"findings": str(len(report.findings))}
    if outcome.review_url:
        outputs["review-url"] = outcome.review_url
    if inputs.sarif_file:
        from reviewer.render.sarif import render_sarif

        target = runner.sarif_target(inputs.sarif_file)  # again: the check and the write are moments apart
        assert target is not None
        write_text_no_follow(target, render_sarif(report, docs=runner.docs))
        outputs["sarif-file"] = inputs.sarif_file
    summary = render_summary(report, outcome.routed, rules_only=not inputs.api_key, notes=outcome.notes or [],
                             usage=report.usage, service_map=outcome.service_map, review_url=outcome.review_url)
    _append(runner.summary, console.redact(summary))
    _append(runner.output, "".join(f"{k}={v}\n" for k, v in outputs.items()))
    for note in report.notes:
        console.info(f"note: {note}")
    failing = at_or_above(report.findings, outcome.fail_on)
    if failing:
        console.error(f"{len(failing)} finding(s) at or above fail-on {outcome.fail_on.value}")  # type: ignore[union-attr]
        return 1
    return 0


def _append(path: str, text: str) -> None:
    """Append to a file the runner named (GITHUB_OUTPUT, GITHUB_STEP_SUMMARY); never through a symlink."""
    if path:
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, "O_NOFOLLOW", 0), 0o644)
        except OSError as exc:  # ELOOP: a symlink in its place
            raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from exc
        with os.fdopen(fd, "a", encoding="utf-8") as fh:
            fh.write(text)
