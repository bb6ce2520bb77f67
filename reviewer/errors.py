"""Every error arch-review raises on purpose.

    ReviewerError                 base; str() is a one-line message for the user
    ├── UsageError                bad command line or input value (exit 2)
    ├── ConfigError               invalid config file; names the file and key (exit 2)
    ├── SourceError               a file that cannot be parsed (becomes a note, never a crash)
    ├── GitError                  a local git command failed
    ├── PublishError              GitHub refused or failed after retries
    │   ├── ReadOnlyTokenError    403 "Resource not accessible by integration" (fork PRs)
    │   └── BadAnswerError        GitHub answered, but not in the API's shape: status + snippet (exit 2)
    └── ModelError                the model call failed after retries (becomes a note)

Third-party errors (PyGithub, anthropic, yaml) are translated into these at the edge,
with ``raise ... from exc``.
"""

from __future__ import annotations


class ReviewerError(Exception):
    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class UsageError(ReviewerError):
    pass


class ConfigError(ReviewerError):
    """One or more problems of one config file, each with its key: all of them are reported at once."""

    def __init__(self, path: str, key: str | None, problem: str,
                 more: tuple[tuple[str | None, str], ...] = ()) -> None:
        self.path, self.key, self.problem = path, key, problem
        self.problems = ((key, problem), *more)
        if more:
            lines = "".join(f"\n  {path}: {k}: {p}" if k else f"\n  {path}: {p}" for k, p in self.problems)
            super().__init__(f"invalid config {path}: {len(self.problems)} problems:{lines}")
        else:
            where = f"{path}: {key}" if key else path
            super().__init__(f"invalid config {where}: {problem}")

    @classmethod
    def of(cls, path: str, problems: list[tuple[str | None, str]]) -> ConfigError:
        (key, problem), *more = problems
        return cls(path, key, problem, tuple(more))


class SourceError(ReviewerError):
    def __init__(self, path: str, problem: str, line: int | None = None) -> None:
        self.path, self.problem, self.line = path, problem, line
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {problem}")


class GitError(ReviewerError):
    pass


class PublishError(ReviewerError):
    exit_code = 1

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class ReadOnlyTokenError(PublishError):
    pass


class BadAnswerError(PublishError):
    """An answer we cannot read (empty, HTML, truncated or mistyped JSON): never "no findings"."""

    exit_code = 2


class ModelError(ReviewerError):
    exit_code = 1
