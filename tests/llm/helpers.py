"""Small builders for the model-review tests: a project, its change, and a client on the fake."""

from __future__ import annotations

from dataclasses import replace

from reviewer.config import ModelSettings
from reviewer.diff import ChangeSet, FileChange, FileStatus, Hunk
from reviewer.llm.anthropic_client import AnthropicModelClient
from reviewer.project import Project
from reviewer.rules.registry import RuleContext
from reviewer.workspace.files import DictSource

CONTEXT = 3


def change_of(files: dict[str, str], added: dict[str, set[int]] | None = None) -> tuple[ChangeSet, RuleContext]:
    """Every file changed; ``added`` lines per path (default: all lines added, a new file)."""
    changes = ChangeSet(base_sha="b" * 40, head_sha="h" * 40)
    for path, text in files.items():
        count = len(text.splitlines())
        lines = (added or {}).get(path, set(range(1, count + 1)))
        visible = {n for a in lines for n in range(a - CONTEXT, a + CONTEXT + 1) if 1 <= n <= count}
        status = FileStatus.ADDED if added is None or path not in added else FileStatus.MODIFIED
        changes.files[path] = FileChange(path, status, hunks=[Hunk(min(visible), len(visible), frozenset(lines),
                                                                   frozenset(visible))])
    project = Project.load(DictSource(dict(files)))
    return changes, RuleContext(project=project, changes=changes, targets=frozenset(files))


def settings(**changes: object) -> ModelSettings:
    return replace(ModelSettings(), **changes)


def client_for(fake, s: ModelSettings | None = None, **kwargs: object) -> AnthropicModelClient:
    kwargs.setdefault("retry_wait", 0.01)
    return AnthropicModelClient(s or settings(), api_key="sk-test-key", base_url=fake.base_url, **kwargs)
