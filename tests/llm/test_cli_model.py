"""`arch-review review --model-review`: the model joins only when asked and keyed; otherwise anthropic
is never imported."""

import io
import os
import subprocess
import sys

import pytest

from reviewer.cli import main
from tests.fakes.anthropic_server import FakeAnthropic, echo_answer

BASE = "import httpx\n\n\ndef ping():\n    return 1\n"
HEAD = BASE + "\n\ndef stock(item):\n    return httpx.get(f'http://inventory/v1/stock/{item}')\n"
CHECK = ("import io, sys\nfrom reviewer.cli import main\nout = io.StringIO()\n"
         "rc = main(sys.argv[1:], out=out)\nprint(out.getvalue())\n"
         "print('anthropic loaded:', 'anthropic' in sys.modules)\n")


@pytest.fixture
def repo(tmp_path):
    def git(*args):
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@e", *args], cwd=tmp_path, check=True,
                       capture_output=True)

    git("init", "-q", "-b", "main")
    (tmp_path / "app.py").write_text(BASE)
    git("add", "app.py")
    git("commit", "-q", "-m", "base")
    (tmp_path / "app.py").write_text(HEAD)
    git("commit", "-q", "-am", "head")
    return tmp_path


def run_cli(repo, *extra, env_extra=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
    env.update(env_extra or {})
    done = subprocess.run([sys.executable, "-c", CHECK, "review", "--base", "HEAD~1", "--head", "HEAD",
                           "--repo", str(repo), *extra], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_rules_only_review_never_imports_anthropic(repo):
    out = run_cli(repo)
    assert "anthropic loaded: False" in out
    assert "model review" not in out


def test_model_review_without_a_key_says_so_and_still_does_not_import_anthropic(repo):
    out = run_cli(repo, "--model-review")
    assert "anthropic loaded: False" in out
    assert "note: model review: skipped, ANTHROPIC_API_KEY is not set" in out


def test_model_review_with_a_key_merges_the_model_findings(repo, monkeypatch):
    with FakeAnthropic(answer=echo_answer) as fake:
        monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-test")
        monkeypatch.setenv("ANTHROPIC_BASE_URL", fake.base_url)
        out = io.StringIO()
        rc = main(["review", "--base", "HEAD~1", "--head", "HEAD", "--repo", str(repo), "--model-review"], out=out)
    text = out.getvalue()
    assert rc == 0
    assert "llm-resilience  Outbound call without a deadline" in text
    assert "note: model review: 1 request, " in text
    assert len(fake.message_requests) == 1


def test_the_model_modules_themselves_import_anthropic_only_when_a_request_is_made():
    code = ("import sys\nfrom reviewer.config import ModelSettings\nimport reviewer.llm.review\n"
            "from reviewer.llm.anthropic_client import AnthropicModelClient\nAnthropicModelClient(ModelSettings())\n"
            "print('anthropic' in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "False", done.stderr
