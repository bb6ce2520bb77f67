"""The optional Claude review. Importing this package is cheap: ``anthropic`` is imported only by
reviewer.llm.anthropic_client, and only when a request is about to be made."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from reviewer.model import ModelUsage

if TYPE_CHECKING:
    from reviewer.config import ModelSettings
    from reviewer.diff import ChangeSet
    from reviewer.model import Finding
    from reviewer.rules.registry import RuleContext


@dataclass
class ModelResult:
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    usage: ModelUsage = field(default_factory=ModelUsage)


def model_review(changes: ChangeSet, ctx: RuleContext, rule_findings: list[Finding], settings: ModelSettings,
                 api_key: str, pr_title: str = "", pr_body: str = "", base_url: str | None = None,
                 since: ChangeSet | None = None) -> ModelResult:
    """Claude's review of the relevant hunks (with ``since``: only those changed after the last reviewed
    head). Never raises for API trouble: failures become notes."""
    from reviewer.llm.anthropic_client import AnthropicModelClient
    from reviewer.llm.review import run_review

    if not settings.enabled:
        return ModelResult(notes=["model review: disabled in the config"])
    if settings.provider == "anthropic" and not api_key:
        return ModelResult(notes=["model review: skipped, no Anthropic API key"])
    client = AnthropicModelClient(settings, api_key=api_key or None, base_url=base_url)
    return run_review(changes, ctx, rule_findings, settings, client, pr_title=pr_title, pr_body=pr_body,
                      since=since)


__all__ = ["ModelResult", "ModelUsage", "model_review"]
