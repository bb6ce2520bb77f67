"""Which job an Actions event asks for: one enum, one decision function, one trust check."""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from github import GithubException
from github.Repository import Repository

from reviewer.errors import UsageError
from reviewer.github.client import calling

REVIEW_ACTIONS = frozenset({"opened", "synchronize", "reopened", "ready_for_review"})
PR_EVENTS = frozenset({"pull_request", "pull_request_target"})
AUDIT_EVENTS = frozenset({"schedule", "workflow_dispatch"})
# GitHub's author_association values that mean write access to the repository.
TRUSTED_ASSOCIATIONS = frozenset({"OWNER", "MEMBER", "COLLABORATOR"})
# GET /collaborators/{user}/permission: "permission" is admin|write|read|none (maintain shows as
# write there; role_name keeps maintain/triage). Only people who can push may spend the budget.
TRUSTED_PERMISSIONS = frozenset({"admin", "maintain", "write"})
INPUT_MODES = ("auto", "review", "audit")


class Mode(StrEnum):
    REVIEW = "review"  # review the PR of a pull_request event
    COMMENT_TRIGGER = "comment"  # a trusted `/arch-review` comment on a PR
    AUDIT = "audit"  # the whole tree; one tracking issue
    SKIP = "skip"


@dataclass(frozen=True)
class Event:
    name: str
    action: str
    pr_number: int | None
    comment_id: int | None = None
    comment_body: str = ""
    commenter: str = ""
    association: str = ""
    on_pull_request: bool = False

    @classmethod
    def load(cls, name: str, path: str | None) -> Event:
        payload: dict[str, Any] = {}
        if path:
            try:
                payload = json.loads(Path(path).read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise UsageError(f"cannot read the event payload {path}: {exc}") from exc
        return cls.from_payload(name, payload)

    @classmethod
    def from_payload(cls, name: str, payload: Any) -> Event:
        """The fields we use, each checked for its type: a payload of the wrong shape is a UsageError
        naming the field, never an AttributeError."""
        shape = _Shape(name)
        payload = shape.object(payload, "top level")
        action = shape.text(payload.get("action"), "action")
        if name in PR_EVENTS:
            if payload.get("pull_request") is None:
                raise UsageError(f"the {name} event payload has no pull_request object")
            pr = shape.object(payload["pull_request"], "pull_request")
            number = shape.number(pr.get("number", payload.get("number")), "pull_request.number")
            if number is None:
                raise UsageError(f"the {name} event payload has no pull request number")
            return cls(name, action, number, on_pull_request=True)
        if name == "issue_comment":
            issue = shape.object(payload.get("issue"), "issue")
            comment = shape.object(payload.get("comment"), "comment")
            return cls(name, action, shape.number(issue.get("number"), "issue.number"),
                       comment_id=shape.number(comment.get("id"), "comment.id"),
                       comment_body=shape.text(comment.get("body"), "comment.body"),
                       commenter=shape.text(shape.object(comment.get("user"), "comment.user").get("login"),
                                            "comment.user.login"),
                       association=shape.text(comment.get("author_association"), "comment.author_association"),
                       on_pull_request=bool(issue.get("pull_request")))
        return cls(name, action, None)


@dataclass(frozen=True)
class _Shape:
    """Type checks of an event payload's fields; each error names the event and the field."""

    event: str

    def _wrong(self, where: str, value: object, expected: str) -> UsageError:
        return UsageError(f"the {self.event or 'event'} payload's {where} is {str(value)[:40]!r} "
                          f"({type(value).__name__}), not {expected}")

    def object(self, value: object, where: str) -> dict[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise self._wrong(where, value, "an object")
        return value

    def number(self, value: object, where: str) -> int | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise self._wrong(where, value, "a positive whole number")
        return value

    def text(self, value: object, where: str) -> str:
        if value is None:
            return ""
        if not isinstance(value, str):
            raise self._wrong(where, value, "a string")
        return value


def trigger_command(body: str, phrase: str) -> str | None:
    """The words after the trigger phrase ("" for a bare phrase), or None when it is not a trigger."""
    text = body.strip()
    if not phrase or not text.startswith(phrase):
        return None
    rest = text[len(phrase):]
    if rest and not rest[0].isspace():
        return None  # `/arch-reviewer` is somebody else's command
    return rest.strip().split("\n", 1)[0].strip()


def decide(event: Event, input_mode: str, trigger_phrase: str) -> tuple[Mode, str]:
    """(mode, reason). ``input_mode`` auto picks from the event; review or audit forces the job."""
    mode = (input_mode or "auto").strip().lower()
    if mode not in INPUT_MODES:
        raise UsageError(f"mode must be one of {', '.join(INPUT_MODES)}, not {input_mode!r}")
    if mode == "audit":
        return Mode.AUDIT, "mode: audit"
    if event.name in PR_EVENTS:
        if event.pr_number is None:
            return Mode.SKIP, "the event has no pull request"
        if mode == "review" or event.action in REVIEW_ACTIONS:
            return Mode.REVIEW, f"{event.name} {event.action}"
        return Mode.SKIP, f"nothing to review on {event.name} {event.action!r}"
    if event.name == "issue_comment":
        if event.action != "created":
            return Mode.SKIP, f"comment {event.action}, not created"
        if not event.on_pull_request or event.pr_number is None:
            return Mode.SKIP, "comment on an issue, not a pull request"
        if trigger_command(event.comment_body, trigger_phrase) is None:
            return Mode.SKIP, f"comment does not start with {trigger_phrase}"
        return Mode.COMMENT_TRIGGER, f"{trigger_phrase} comment by {event.commenter}"
    if event.name in AUDIT_EVENTS:
        if mode == "review":
            raise UsageError(f"mode: review needs a pull request, and {event.name} has none")
        return Mode.AUDIT, event.name
    if mode == "review":
        raise UsageError(f"mode: review needs a pull request, and {event.name or 'this event'} has none")
    return Mode.SKIP, f"nothing to do on {event.name or 'an unknown event'}"


def trusted_by_association(association: str) -> bool:
    return association.upper() in TRUSTED_ASSOCIATIONS


def is_trusted(repo: Repository, event: Event) -> tuple[bool, str]:
    """(trusted, why): author_association first, then the commenter's permission from the API."""
    return may_write(repo, event.commenter, event.association)


def may_write(repo: Repository, login: str, association: str | None) -> tuple[bool, str]:
    """(may push, why): ``author_association`` when the API gave one, else the permission API."""
    if association and trusted_by_association(association):
        return True, f"author association {association}"
    with calling(f"read the permission of {login}"):
        try:
            permission = repo.get_collaborator_permission(login) if login else "none"
        except GithubException as exc:  # 404 "<login> is not a user": PyGithub's UnknownObject only for "Not Found"
            if exc.status != 404:
                raise
            permission = "none"
    return permission in TRUSTED_PERMISSIONS, f"author association {association or 'NONE'}, permission {permission}"
