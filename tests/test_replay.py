"""scripts/replay.py over a tiny history: which commits it replays, and what it counts as on added lines."""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("replay", ROOT / "scripts" / "replay.py")
assert _spec and _spec.loader
replay = importlib.util.module_from_spec(_spec)
sys.modules["replay"] = replay  # dataclasses look their module up there
_spec.loader.exec_module(replay)

COMPOSE_BEFORE = textwrap.dedent("""\
    services:
      api:
        build: .
        ports:
          - "8000:8000"
      db:
        image: postgres
""")
COMPOSE_AFTER = textwrap.dedent("""\
    services:
      api:
        build: .
        ports:
          - "8000:8000"
        depends_on:
          - cache
      db:
        image: postgres
      cache:
        image: redis:latest
""")
APP_BEFORE = textwrap.dedent("""\
    from fastapi import FastAPI

    app = FastAPI()


    @app.get("/health")
    def health():
        return {"ok": True}
""")
APP_AFTER = "import requests\n" + APP_BEFORE + textwrap.dedent("""\


    @app.get("/rates")
    def rates():
        return requests.get("https://rates.example.com/latest").json()
""")
# What `git diff -U0` reports as added, written out by hand rather than recomputed the script's way.
ADDED = {"compose: add a cache": {"compose.yaml": {6, 7, 10, 11}},
         "api: rates": {"app.py": {1, 10, 11, 12, 13, 14}}}


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
                   check=True, capture_output=True)


def commit(repo: Path, message: str, files: dict[str, str]) -> None:
    for name, text in files.items():
        (repo / name).write_text(text)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = tmp_path_factory.mktemp("history")
    git(repo, "init", "-q", "-b", "main")
    commit(repo, "initial", {"compose.yaml": COMPOSE_BEFORE, "app.py": APP_BEFORE, "README.md": "# demo\n"})
    commit(repo, "compose: add a cache", {"compose.yaml": COMPOSE_AFTER})
    commit(repo, "docs: readme", {"README.md": "# demo\n\nmore\n"})
    commit(repo, "api: rates", {"app.py": APP_AFTER})
    return repo


def test_picks_the_relevant_non_root_commits_newest_first(history: Path):
    picked = replay.pick_commits(history, "HEAD", 50, [])
    assert [c.subject for c in picked] == ["api: rates", "compose: add a cache"]
    assert [c.subject for c in replay.pick_commits(history, "HEAD", 1, [])] == ["api: rates"]
    assert [c.subject for c in replay.pick_commits(history, "HEAD", 50, ["compose.yaml"])] == [
        "compose: add a cache"]


def test_replay_of_a_bare_dir_counts_findings_on_added_lines(history: Path, tmp_path: Path, capsys):
    bare = tmp_path / "bare.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(history), str(bare)], check=True)
    out_json = tmp_path / "out.json"

    assert replay.main([str(bare), "-n", "50", "--json", str(out_json)]) == 0

    data = json.loads(out_json.read_text())
    commits = {c["subject"]: c for c in data["commits"]}
    assert set(commits) == set(ADDED) and all(c["rc"] == 0 and not c["error"] for c in commits.values())
    for subject, c in commits.items():
        for f in c["findings"]:
            assert f["on_added"] == (f["line"] in ADDED[subject].get(f["path"], set())), f
        assert c["on_added"] == sum(f["on_added"] for f in c["findings"])
    rows = [f for c in commits.values() for f in c["findings"]]
    timeout = [f for f in rows if f["rule"] == "http-call-without-timeout"]
    assert [(f["path"], f["line"], f["on_added"]) for f in timeout] == [("app.py", 14, True)]

    printed = capsys.readouterr().out
    on_added = sum(f["on_added"] for f in rows)
    assert f"on added lines: {on_added} of {len(rows)} " in printed
    assert re.search(r"^commits replayed: 2 \(0 failed\)", printed, re.M)


def test_parse_added_lines_reads_hunk_headers_of_each_new_path():
    diff = textwrap.dedent("""\
        diff --git a/compose.yaml b/compose.yaml
        --- a/compose.yaml
        +++ b/compose.yaml
        @@ -5,0 +6,2 @@ services:
        +    depends_on:
        +      - cache
        @@ -9 +11 @@
        -    image: redis
        +    image: redis:7
        @@ -20,3 +21,0 @@
        diff --git a/gone.py b/gone.py
        --- a/gone.py
        +++ /dev/null
        @@ -1 +0,0 @@
        -x = 1
        diff --git "a/caf\\303\\251.py" "b/caf\\303\\251.py"
        --- "a/caf\\303\\251.py"
        +++ "b/caf\\303\\251.py"
        @@ -0,0 +1 @@
        +y = 2
    """)
    assert replay.parse_added_lines(diff) == {"compose.yaml": {6, 7, 11}, "café.py": {1}}


def test_a_failed_review_is_reported_not_raised(history: Path):
    bogus = replay.Commit("0" * 40, "1" * 40, "bogus", ("app.py",))
    result = replay.review_commit(history, bogus, timeout=60)
    assert result.rc == 2 and "unknown git ref" in result.error
    assert replay.commit_line(result).startswith("000000000") and "FAILED rc=2" in replay.commit_line(result)
