"""Nothing reviewed must never look like "clean": files with odd names in a real git repository,
through ``main(["review", ...])``, committed and in the working tree; and a PR's own
``.gitattributes`` cannot turn every file binary."""

import json
import subprocess
from pathlib import Path

import pytest

from reviewer.diff import FileStatus
from reviewer.workspace.git_diff import local_changes
from tests.test_cli import WORKER, run

RULE = "http-call-without-timeout"
ODD = ["svc b/app.py", "a b/c b/app.py", "sérvice/app.py", "日本/app.py", "tab\there/app.py", 'q"uote/app.py',
       "it's/app.py", "back\\slash/app.py", "new\nline/app.py", "trailing /app.py", "*star?[x]/app.py",
       ":colon/app.py", "-dash/app.py", "space in name.py"]


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), "-c", "user.email=t@example.com", "-c", "user.name=t", *args],
                   check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    git(tmp_path, "init", "-q", "-b", "main")
    (tmp_path / "README.md").write_text("hello\n")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-qm", "base")
    git(tmp_path, "checkout", "-qb", "feature")
    return tmp_path


def _add(repo: Path, name: str, text: str = WORKER) -> None:
    (repo / name).parent.mkdir(parents=True, exist_ok=True)
    (repo / name).write_text(text)


def _findings(repo: Path, *head: str) -> set[tuple[str, str, int]]:
    code, out, err = run(["review", "--base", "main", *head, "--repo", str(repo), "--format", "json"])
    assert code == 0, err
    return {(f["rule"], f["path"], f["line"]) for f in json.loads(out)["findings"]}


@pytest.mark.parametrize("name", ODD)
def test_a_committed_file_with_an_odd_name_is_reviewed(repo: Path, name: str) -> None:
    _add(repo, name)
    git(repo, "add", "--all")
    git(repo, "commit", "-qm", "head")
    assert _findings(repo, "--head", "feature") == {(RULE, name, 5)}


@pytest.mark.parametrize("name", ODD)
def test_a_working_tree_file_with_an_odd_name_is_reviewed(repo: Path, name: str) -> None:
    _add(repo, name)
    git(repo, "add", "--all")  # tracked, not committed: the working-tree review
    assert _findings(repo) == {(RULE, name, 5)}


def test_one_odd_name_does_not_hide_the_other_files(repo: Path) -> None:
    _add(repo, "svc b/app.py")
    _add(repo, "plain/app.py")
    git(repo, "add", "--all")
    git(repo, "commit", "-qm", "head")
    assert _findings(repo, "--head", "feature") == {(RULE, "svc b/app.py", 5), (RULE, "plain/app.py", 5)}


def test_a_rename_to_an_odd_name_keeps_its_old_name(repo: Path) -> None:
    padding = "".join(f"# line {i} of a long module\n" for i in range(30))
    _add(repo, "old.py", padding + WORKER.replace("requests.get(", "requests.get(timeout=3, url="))
    git(repo, "add", "--all")
    git(repo, "commit", "-qm", "old")
    git(repo, "branch", "-qf", "main")  # old.py is on the base
    (repo / "new b").mkdir()
    git(repo, "mv", "old.py", "new b/ä.py")
    (repo / "new b/ä.py").write_text(padding + WORKER)
    git(repo, "add", "--all")
    git(repo, "commit", "-qm", "renamed")
    change = local_changes(repo, "main", "feature").files["new b/ä.py"]
    assert (change.status, change.old_path) == (FileStatus.RENAMED, "old.py")
    assert _findings(repo, "--head", "feature") == {(RULE, "new b/ä.py", 35)}


@pytest.mark.parametrize("attributes", ["* -diff\n", "* binary\n", "*.py diff=nope\n"])
def test_the_prs_gitattributes_do_not_make_its_files_binary(repo: Path, attributes: str) -> None:
    (repo / ".gitattributes").write_text(attributes)
    _add(repo, "svc/app.py")
    git(repo, "add", "--all")
    git(repo, "commit", "-qm", "head")
    assert _findings(repo, "--head", "feature") == {(RULE, "svc/app.py", 5)}
    assert _findings(repo) == {(RULE, "svc/app.py", 5)}


def test_a_real_binary_is_still_binary(repo: Path) -> None:
    (repo / "blob.py").write_bytes(b"import requests\0\x89PNG\r\n" * 10)
    git(repo, "add", "--all")
    git(repo, "commit", "-qm", "head")
    assert _findings(repo, "--head", "feature") == set()


@pytest.mark.parametrize("name", ["svc b/app.py", "new\nline.py", "tab\there.py"])
def test_a_github_patch_of_an_odd_name_keeps_its_hunks(name: str) -> None:
    from reviewer.diff import hunks_from_github_patch

    (hunk,) = hunks_from_github_patch(name, "@@ -0,0 +1,2 @@\n+import requests\n+requests.get('x')\n")
    assert hunk.added == frozenset({1, 2})
