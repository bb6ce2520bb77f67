"""The model-review benchmark: a generated PR of many files against a fake Messages API.

``run_llm_bench(fake_base_url)`` is what bench/run.py calls; with no URL it starts the loopback
fake from tests/fakes (run from a checkout) with 1 s of latency per request. It returns a dict:
files, requests, attempts, bytes_sent, est_tokens_sent, input/cache/output tokens, findings,
concurrency, request_token_budget, wall_seconds, est_cost_usd, notes, and for a second push that
changes one hunk of one of the files (the incremental model review): its requests, total input tokens
and their share of the first run's (goal: one request, under 10%).
"""

from __future__ import annotations

import math
import time
from dataclasses import replace
from typing import Any

from reviewer.config import ModelSettings
from reviewer.diff import ChangeSet, FileChange, FileStatus, Hunk
from tests.llm.helpers import synthetic_pr  # bench/run.py puts the checkout on sys.path


def second_push(changes: ChangeSet) -> ChangeSet:
    """What the compare API returns for a push that edits one line of one file of the PR."""
    path = sorted(p for p in changes.files if p.endswith(".py"))[0]
    hunk = changes.files[path].hunks[0]
    line = sorted(hunk.added)[2]
    since = ChangeSet(base_sha="1" * 40, head_sha=changes.head_sha)
    since.files[path] = FileChange(path, FileStatus.MODIFIED, additions=1, deletions=1, hunks=[
        Hunk(line - 3, 7, frozenset({line}), frozenset(range(line - 3, line + 4)))])
    return since


def run_llm_bench(fake_base_url: str | None = None, n_files: int = 150, latency: float = 1.0,
                  settings: ModelSettings | None = None) -> dict[str, Any]:
    """Requests, bytes sent, tokens (estimated and as the server counted), cache reads and wall time."""
    if fake_base_url is None:
        from tests.fakes.anthropic_server import FakeAnthropic, echo_answer

        with FakeAnthropic(answer=echo_answer, latency=latency) as fake:
            return run_llm_bench(fake.base_url, n_files, latency, settings)
    from reviewer.llm.anthropic_client import AnthropicModelClient
    from reviewer.llm.review import run_review

    # A smaller budget than the default 24k tokens, so that the PR takes several rounds of requests
    # and the rounds after the first read the system prompt from the cache.
    settings = settings or replace(ModelSettings(), request_token_budget=8_000, max_requests=1_000,
                                   max_input_tokens=10_000_000)
    changes, ctx = synthetic_pr(n_files)
    # arch-review: ignore[fastapi-hardcoded-secret] a dummy key: the bench talks to the loopback fake only
    client = AnthropicModelClient(settings, api_key="bench-key", base_url=fake_base_url)
    client.warm()  # the SDK import (about a second) is start-up cost, not the review's wall time
    started = time.monotonic()
    result = run_review(changes, ctx, [], settings, client, pr_title="Benchmark PR")
    wall = time.monotonic() - started
    usage = result.usage
    again = run_review(changes, ctx, [], settings, client, pr_title="Benchmark PR", since=second_push(changes)).usage
    first_in = usage.input_tokens + usage.cache_read_tokens + usage.cache_write_tokens
    again_in = again.input_tokens + again.cache_read_tokens + again.cache_write_tokens
    return {
        "files": n_files,
        "requests": usage.requests,
        "attempts": client.stats.attempts,
        "bytes_sent": client.stats.bytes_sent,
        "est_tokens_sent": math.ceil(client.stats.bytes_sent / 3.5),
        "input_tokens": usage.input_tokens,
        "cache_read_tokens": usage.cache_read_tokens,
        "cache_write_tokens": usage.cache_write_tokens,
        "output_tokens": usage.output_tokens,
        "findings": len(result.findings),
        "concurrency": settings.concurrency,
        "request_token_budget": settings.request_token_budget,
        "wall_seconds": round(wall, 3),
        "est_cost_usd": usage.est_cost_usd,
        "notes": result.notes,
        "second_push_requests": again.requests,
        "second_push_input_tokens": again_in,
        "second_push_share_of_first": f"{100 * again_in / max(first_in, 1):.1f}% of {first_in:,}",
        "second_push_scope": again.scope,
    }
