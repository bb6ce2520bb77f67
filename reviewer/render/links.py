"""Where a rule's documentation lives: the docs of the repository the Action runs from.

On a runner, GitHub sets ``GITHUB_ACTION_REPOSITORY`` (``owner/arch-review``) and ``GITHUB_ACTION_REF``
(``v1``) for the step of an action used with ``uses:`` (docs: "Variables reference", default environment
variables), and ``GITHUB_SERVER_URL`` (``https://github.com`` or a GHES host). A fork or a mirror of
arch-review then links to its own docs at the version it runs. Elsewhere (the CLI, a local checkout)
the links point at the upstream project's main branch.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote

PROJECT_URL = "https://github.com/arch-review/arch-review"
_DEFAULT_REF = "main"


@dataclass(frozen=True)
class DocsSite:
    project_url: str = PROJECT_URL
    ref: str = _DEFAULT_REF

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> DocsSite:
        repository = env.get("GITHUB_ACTION_REPOSITORY", "").strip().strip("/")
        if repository.count("/") != 1 or any(not part for part in repository.split("/")):
            return cls()
        server = (env.get("GITHUB_SERVER_URL", "").strip() or "https://github.com").rstrip("/")
        return cls(f"{server}/{quote(repository)}", env.get("GITHUB_ACTION_REF", "").strip() or _DEFAULT_REF)

    def rule_url(self, rule_id: str) -> str:
        return f"{self.project_url}/blob/{quote(self.ref, safe='/')}/docs/rules.md#{rule_id}"
