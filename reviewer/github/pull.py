"""A pull request as the engine sees it: the ChangeSet from ``GET /pulls/{n}/files``, head and base
contents of the changed files, the workspace as context, and the config from the BASE branch."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from github import GithubException, UnknownObjectException
from github.PullRequest import PullRequest
from github.Repository import Repository

from reviewer.classify import may_be_relevant
from reviewer.diff import ChangeSet, FileStatus, from_github_files
from reviewer.errors import BadAnswerError
from reviewer.github.client import calling, raw_answer
from reviewer.project import FileSource
from reviewer.workspace.files import DictSource, DirectorySource
from reviewer.workspace.git import GitTreeSource, has_commit

# GitHub docs, "List pull requests files": "Responses include a maximum of 3000 files."
MAX_PR_FILES = 3000
# GitHub docs, "Rate limits for the REST API": GITHUB_TOKEN requests are limited to 1,000 per hour per
# repository. Base contents cost one request each, so they are capped; past the cap a review falls back
# to the added lines.
MAX_BASE_READS = 200


def git_blob_sha(data: bytes) -> str:
    """The object id git gives these bytes: what ``GET /pulls/{n}/files`` reports as each file's ``sha``."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def _workspace_copy(workspace: Path | None, path: str, sha: object) -> bytes | None:
    """The checked-out file when it is byte for byte the PR head's version (its blob id matches):
    the default merge checkout has most files at head, and each saves a contents request."""
    if workspace is None or not isinstance(sha, str):
        return None
    try:
        target = workspace / path
        if target.is_symlink() or not target.is_file():
            return None
        data = target.read_bytes()
    except OSError:
        return None
    return data if git_blob_sha(data) == sha else None


@dataclass(frozen=True)
class PullInfo:
    number: int
    head_sha: str
    base_sha: str
    base_ref: str
    title: str
    body: str
    html_url: str
    is_fork: bool
    changed_files: int


def pull_info(pull: PullRequest, repo_name: str) -> PullInfo:
    head_repo = pull.head.repo.full_name if pull.head.repo is not None else None
    return PullInfo(number=pull.number, head_sha=pull.head.sha, base_sha=pull.base.sha, base_ref=pull.base.ref,
                    title=pull.title or "", body=pull.body or "", html_url=pull.html_url,
                    is_fork=head_repo is not None and head_repo != repo_name, changed_files=pull.changed_files)


@dataclass
class OverlaySource:
    """The changed files at head (from GitHub), everything else from the workspace checkout."""

    head: FileSource
    changed: set[str]
    removed: set[str]
    rest: FileSource | None

    def paths(self) -> Iterable[str]:
        yield from self.head.paths()
        if self.rest is not None:
            for path in self.rest.paths():
                if path not in self.changed and path not in self.removed:
                    yield path

    def read(self, path: str) -> bytes | None:
        if path in self.changed:
            return self.head.read(path)
        return self.rest.read(path) if self.rest is not None else None


@dataclass
class ContentsReader:
    """``GET /repos/{o}/{r}/contents/{path}?ref=`` for the few files a review needs whole."""

    repo: Repository
    notes: list[str] = field(default_factory=list)

    def read(self, path: str, ref: str) -> bytes | None:
        with calling(f"read {path} at {ref[:12]}"):
            try:
                content: Any = self.repo.get_contents(path, ref=ref)
            except UnknownObjectException:
                return None
        if isinstance(content, list) or content.type != "file":
            return None
        if content.encoding != "base64":  # files over 1 MB come without content
            self.notes.append(f"{path}: skipped, GitHub does not send the contents of files this large")
            return None
        return content.decoded_content


@dataclass
class PullChange:
    changes: ChangeSet
    head: FileSource
    base: FileSource | None


def load_change(repo: Repository, pull: PullRequest, info: PullInfo, workspace: Path | None) -> PullChange:
    """Files and hunks of the PR, plus sources for head and base contents."""
    entries = _files_of(pull, info)
    changes = from_github_files(entries, head_sha=info.head_sha, base_sha=info.base_sha)
    if info.changed_files > MAX_PR_FILES:
        changes.notes.append(f"GitHub lists only the first {MAX_PR_FILES} of {info.changed_files} changed files; "
                             "the rest were not reviewed")
    removed = {p for p, c in changes.files.items() if c.status is FileStatus.REMOVED}
    changed = set(changes.files) - removed
    rest = DirectorySource(workspace) if workspace is not None and workspace.is_dir() else None
    if workspace is not None and has_commit(workspace, info.head_sha):
        head: FileSource = GitTreeSource(workspace, info.head_sha)
        base = GitTreeSource(workspace, info.base_sha) if has_commit(workspace, info.base_sha) else None
        if base is not None:
            return PullChange(changes, head, base)
    else:
        reader = ContentsReader(repo)
        fetched: dict[str, bytes | str] = {}
        blob_ids = {str(e["filename"]): e.get("sha") for e in entries}
        for path in sorted(p for p in changed if may_be_relevant(p)):
            data = _workspace_copy(workspace, path, blob_ids.get(path))
            if data is None:
                data = reader.read(path, info.head_sha)
            if data is None:
                continue
            if b"\0" in data[:8192]:
                changes.files[path].binary = True
                continue
            fetched[path] = data
        changes.notes.extend(reader.notes)
        head = OverlaySource(DictSource(fetched), changed, removed, rest)
    return PullChange(changes, head, _base_source(repo, changes, info))


def _files_of(pull: PullRequest, info: PullInfo) -> list[dict[str, Any]]:
    """``GET /pulls/{n}/files``, every page; an answer that is not a list of file objects (empty, HTML,
    truncated JSON, wrong types) is a BadAnswerError with the status and a snippet, never "no files"."""
    doing = f"list the files of PR #{info.number}"
    try:
        with calling(doing):
            entries = [f.raw_data for f in pull.get_files()]
    except (ValueError, TypeError, AttributeError, KeyError) as exc:  # JSONDecodeError is a ValueError
        raise _bad_answer(pull, doing, f"not the API's JSON ({type(exc).__name__})") from exc
    if not all(isinstance(e, dict) for e in entries):
        raise _bad_answer(pull, doing, "an item is not a file object")
    if not entries and info.changed_files > 0:
        raise _bad_answer(pull, doing, f"no files, though the pull request changes {info.changed_files}")
    return entries


def _bad_answer(pull: PullRequest, doing: str, problem: str) -> BadAnswerError:
    status, text = raw_answer(pull.requester, f"{pull.url}/files")
    return BadAnswerError(f"GitHub answered {status or 'nothing'} to {doing}, and the answer is {problem}: "
                          f"{text}", status)


def _base_source(repo: Repository, changes: ChangeSet, info: PullInfo) -> FileSource | None:
    """Base contents of the changed files: the review compares head findings with them to keep
    only what the PR introduces. None when there are more than we may read: the review then
    counts only findings on added lines (it says so)."""
    reader = ContentsReader(repo)
    wanted = [c.old_path or p for p, c in changes.files.items()
              if c.status is not FileStatus.ADDED and not c.binary and may_be_relevant(c.old_path or p)]
    if len(wanted) > MAX_BASE_READS:
        changes.notes.append(f"the base versions of {len(wanted)} changed files are more than the {MAX_BASE_READS} "
                             "this run reads through the API, so only findings on added lines are listed (check "
                             "out the base commit too, fetch-depth: 0, to compare with the base)")
        return None
    base: dict[str, bytes | str] = {}
    for path in wanted:
        data = reader.read(path, info.base_sha)
        if data is not None:
            base[path] = data
    return DictSource(base)


def read_config(repo: Repository, path: str, ref: str) -> str | None:
    """The config file's text on the BASE branch (a PR cannot loosen its own review), or None."""
    with calling(f"read {path} on {ref}"):
        try:
            content: Any = repo.get_contents(path, ref=ref)
        except UnknownObjectException:
            return None
        except GithubException as exc:
            if exc.status == 404:
                return None
            raise
    if isinstance(content, list) or content.encoding != "base64":
        return None
    return content.decoded_content.decode("utf-8", errors="replace")
