"""The config file is read from the repository, as a regular file: a symlink out of it is refused
unread (its contents never reach a message), and a directory, FIFO or device is named, never opened."""

import os
import threading
from pathlib import Path

import pytest

from tests.test_cli import WORKER, run

SECRET = "hunter2-outside-value"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / ".github").mkdir(parents=True)
    (root / "worker.py").write_text(WORKER)
    outside = tmp_path / "outside.yml"
    outside.write_text(f"rules:\n  {SECRET}: off\n")  # would be quoted as an unknown rule id if read
    return root


def test_a_default_config_symlinked_out_of_the_repository_is_refused_unread(repo: Path) -> None:
    (repo / ".github" / "arch-review.yml").symlink_to(repo.parent / "outside.yml")
    code, out, err = run(["audit", str(repo)])
    assert code == 2 and "leads outside the repository" in err and ".github/arch-review.yml" in err
    assert SECRET not in err + out


def test_an_explicit_config_inside_the_repository_is_checked_too(repo: Path) -> None:
    (repo / "cfg.yml").symlink_to(repo.parent / "outside.yml")
    code, out, err = run(["audit", str(repo), "--config", str(repo / "cfg.yml")])
    assert code == 2 and "leads outside the repository" in err and SECRET not in err + out


def test_a_symlink_within_the_repository_is_followed(repo: Path) -> None:
    (repo / "shared.yml").write_text("rules:\n  http-call-without-timeout: off\n")
    (repo / ".github" / "arch-review.yml").symlink_to(repo / "shared.yml")
    code, out, err = run(["audit", str(repo)])
    assert (code, err) == (0, "") and "http-call-without-timeout" not in out


def test_an_explicit_config_outside_the_repository_is_the_users_choice(repo: Path) -> None:
    (repo.parent / "mine.yml").write_text("rules:\n  http-call-without-timeout: off\n")
    code, _, err = run(["audit", str(repo), "--config", str(repo.parent / "mine.yml")])
    assert (code, err) == (0, "")


def test_a_directory_is_named_as_such(repo: Path) -> None:
    code, _, err = run(["audit", str(repo), "--config", str(repo / ".github")])
    assert code == 2 and "is a directory, not a regular file" in err
    (repo / ".github" / "arch-review.yml").mkdir()
    code, _, err = run(["audit", str(repo)])
    assert code == 2 and "config file .github/arch-review.yml is a directory" in err


def test_a_fifo_is_named_and_never_opened(repo: Path) -> None:
    fifo = repo / "cfg.yml"
    os.mkfifo(fifo)
    result: list = []
    worker = threading.Thread(target=lambda: result.append(run(["audit", str(repo), "--config", str(fifo)])),
                              daemon=True)
    worker.start()
    worker.join(timeout=20)
    assert result, "opening the FIFO blocked"
    code, _, err = result[0]
    assert code == 2 and "is a FIFO (named pipe), not a regular file" in err


def test_a_device_is_named(repo: Path) -> None:
    code, _, err = run(["audit", str(repo), "--config", "/dev/null"])
    assert code == 2 and "is a character device" in err


def test_a_missing_explicit_config_still_says_so(repo: Path) -> None:
    code, _, err = run(["audit", str(repo), "--config", str(repo / "nope.yml")])
    assert code == 2 and "does not exist" in err

