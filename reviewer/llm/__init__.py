"""The optional Claude review. Importing this package is cheap: ``anthropic`` is imported only by
reviewer.llm.anthropic_client, and only when a request is about to be made."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reviewer.config import ModelSettings
    from reviewer.diff import ChangeSet
    from reviewer.model import Finding
    from reviewer.rules.registry import RuleContext


@dataclass
class ModelUsage:
    requests: int = 0  # answered Messages requests (failed attempts cost nothing and are not counted)
    input_tokens: int = 0  # uncached input
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    est_cost_usd: float = 0.0
    wall_seconds: float = 0.0

    def summary(self) -> str:
        if not self.requests:
            return "model review: no requests made"
        cache = ""
        if self.cache_read_tokens or self.cache_write_tokens:
            cache = f" (+{self.cache_read_tokens:,} read from cache, {self.cache_write_tokens:,} written to it)"
        return (f"model review: {self.requests} request{'s' if self.requests != 1 else ''}, "
                f"{self.input_tokens:,} input tokens{cache}, {self.output_tokens:,} output tokens, "
                f"about ${self.est_cost_usd:.4f}, {self.wall_seconds:.1f} s")


@dataclass
class ModelResult:
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    usage: ModelUsage = field(default_factory=ModelUsage)


def model_review(changes: ChangeSet, ctx: RuleContext, rule_findings: list[Finding], settings: ModelSettings,
                 api_key: str, pr_title: str = "", pr_body: str = "", base_url: str | None = None) -> ModelResult:
    """Claude's review of the relevant hunks. Never raises for API trouble: failures become notes."""
    from reviewer.llm.anthropic_client import AnthropicModelClient
    from reviewer.llm.review import run_review

    if not settings.enabled:
        return ModelResult(notes=["model review: disabled in the config"])
    if settings.provider == "anthropic" and not api_key:
        return ModelResult(notes=["model review: skipped, no Anthropic API key"])
    client = AnthropicModelClient(settings, api_key=api_key or None, base_url=base_url)
    return run_review(changes, ctx, rule_findings, settings, client, pr_title=pr_title, pr_body=pr_body)


__all__ = ["ModelResult", "ModelUsage", "model_review"]
