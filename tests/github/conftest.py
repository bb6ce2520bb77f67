"""A PR on the loopback fake GitHub, a runner environment, and ``action.main`` driven in-process."""

from __future__ import annotations

import difflib
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from reviewer import action
from reviewer.github.pull import git_blob_sha
from tests.fakes.github_server import FakeGitHub, Pull

TOKEN = "ghs_s3cr3tTOKENvalue0123456789"
BASE_SHA = "b" * 40
HEAD_SHA = "a" * 40

APP_BASE = '''from fastapi import FastAPI

app = FastAPI()


@app.get("/health")
def health() -> dict[str, bool]:
    return {"ok": True}
'''

APP_HEAD = '''import requests
from fastapi import FastAPI

app = FastAPI()


@app.get("/health")
def health() -> dict[str, bool]:
    return {"ok": True}


@app.get("/orders/{order_id}")
def get_order(order_id: int) -> dict[str, int]:
    stock = requests.get(f"http://inventory:8000/stock/{order_id}")
    return {"stock": stock.json()}
'''

COMPOSE = '''services:
  orders:
    build: ./orders
    ports:
      - "8000:8000"
'''

DEPLOYMENT = '''apiVersion: apps/v1
kind: Deployment
metadata:
  name: orders
spec:
  template:
    spec:
      containers:
        - name: orders
          image: ghcr.io/acme/orders:1.4.2
'''


def patch_of(old: str | None, new: str | None) -> str:
    lines = difflib.unified_diff((old or "").splitlines(), (new or "").splitlines(), lineterm="", n=3)
    return "\n".join(list(lines)[2:])  # GitHub's `patch` starts at the first @@


def file_entry(path: str, old: str | None, new: str | None, with_patch: bool = True) -> dict:
    status = "added" if old is None else "removed" if new is None else "modified"
    patch = patch_of(old, new)
    adds = sum(1 for ln in patch.splitlines() if ln.startswith("+"))
    dels = sum(1 for ln in patch.splitlines() if ln.startswith("-"))
    entry = {"filename": path, "status": status, "additions": adds, "deletions": dels}
    if new is not None:  # GitHub reports the head version's git blob id
        entry["sha"] = git_blob_sha(new.encode())
    if with_patch:
        entry["patch"] = patch
    return entry


@dataclass
class Scenario:
    fake: FakeGitHub
    tmp: Path
    base: dict[str, str | bytes] = field(default_factory=dict)
    head: dict[str, str | bytes] = field(default_factory=dict)
    number: int = 7
    stdout: str = ""
    sleeps: list[float] = field(default_factory=list)

    def open_pr(self, base: dict[str, str | bytes], head: dict[str, str | bytes], no_patch: tuple[str, ...] = (),
                head_sha: str = HEAD_SHA, **pull_kwargs: object) -> Pull:
        self.base, self.head = base, head
        files = []
        for path in sorted(set(base) | set(head)):
            old, new = base.get(path), head.get(path)
            if old == new:
                continue
            if isinstance(old, bytes) or isinstance(new, bytes):  # binary: GitHub sends no patch
                files.append({"filename": path, "status": "added" if old is None else "modified",
                              "additions": 0, "deletions": 0})
                continue
            files.append(file_entry(path, old, new, with_patch=path not in no_patch))
        self.fake.set_tree(BASE_SHA, base)
        self.fake.set_tree("main", base)
        self.fake.set_tree(head_sha, head)
        old_pull = self.fake.pulls.get(self.number)
        pull = self.fake.add_pull(Pull(self.number, head_sha, BASE_SHA, files, **pull_kwargs))  # type: ignore[arg-type]
        if old_pull is not None:  # a new push to the same PR keeps its reviews
            pull.reviews, pull.comments = old_pull.reviews, old_pull.comments
        return pull

    def workspace(self, files: dict[str, str | bytes] | None = None) -> Path:
        ws = self.tmp / "workspace"
        for path, data in (files if files is not None else self.head).items():
            target = ws / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data if isinstance(data, bytes) else data.encode())
        ws.mkdir(exist_ok=True)
        return ws

    def env(self, event_name: str, payload: dict, **inputs: str) -> dict[str, str]:
        event_path = self.tmp / "event.json"
        event_path.write_text(json.dumps(payload))
        env = {
            "GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": event_name, "GITHUB_EVENT_PATH": str(event_path),
            "GITHUB_REPOSITORY": self.fake.repo, "GITHUB_API_URL": self.fake.base_url,
            "GITHUB_SERVER_URL": "https://github.test", "GITHUB_WORKSPACE": str(self.workspace()),
            "GITHUB_SHA": "c" * 40, "GITHUB_OUTPUT": str(self.tmp / "output"),
            "GITHUB_STEP_SUMMARY": str(self.tmp / "summary.md"), "GITHUB_RUN_ID": "99",
            "INPUT_GITHUB-TOKEN": TOKEN, "INPUT_ANTHROPIC-API-KEY": "", "INPUT_MODE": "auto",
            "INPUT_FAIL-ON": "none", "INPUT_MAX-COMMENTS": "20", "INPUT_SARIF-FILE": "",
            "INPUT_TRIGGER-PHRASE": "/arch-review", "INPUT_CONFIG": ".github/arch-review.yml",
        }
        env.update({f"INPUT_{k.upper().replace('_', '-')}": v for k, v in inputs.items()})
        return env

    def pr_env(self, action_name: str = "synchronize", **inputs: str) -> dict[str, str]:
        payload = {"action": action_name, "number": self.number,
                   "pull_request": {"number": self.number, "head": {"sha": HEAD_SHA}, "base": {"sha": BASE_SHA}}}
        return self.env("pull_request", payload, **inputs)

    def run(self, env: dict[str, str]) -> int:
        out = io.StringIO()
        code = action.main(env, out, sleep=self.sleeps.append, write_pause=0)
        self.stdout += out.getvalue()
        return code

    @property
    def summary(self) -> str:
        path = self.tmp / "summary.md"
        return path.read_text() if path.exists() else ""

    @property
    def outputs(self) -> dict[str, str]:
        path = self.tmp / "output"
        if not path.exists():
            return {}
        return dict(line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)

    def review_posts(self) -> list:
        return self.fake.calls("POST", rf"/repos/{self.fake.repo}/pulls/{self.number}/reviews")


@pytest.fixture
def scenario(tmp_path: Path) -> Iterator[Scenario]:
    fake = FakeGitHub()
    with fake.running():
        yield Scenario(fake, tmp_path)


def service_repo(app: str = APP_HEAD) -> dict[str, str | bytes]:
    return {"orders/app.py": app, "docker-compose.yml": COMPOSE, "k8s/deployment.yaml": DEPLOYMENT}


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def comments_of(post: object, rule_id: str) -> list[tuple[str, int]]:
    """(path, line) of the inline comments of a recorded create-review POST for one rule."""
    return [(c["path"], c["line"]) for c in post.body["comments"] if f"`{rule_id}`" in c["body"]]  # type: ignore[attr-defined]
