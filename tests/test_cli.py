"""``main(argv)`` in-process, against exact output and exit codes."""

import io
import json
import re
import subprocess
import textwrap
from pathlib import Path

import pytest

from reviewer.cli import main

WORKER = textwrap.dedent("""\
    import requests


    def refresh_rates():
        return requests.get("https://rates.example.com/latest").json()
""")


def run(argv):
    out, err = io.StringIO(), io.StringIO()
    code = main(argv, out, err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "worker.py").write_text(WORKER)
    return tmp_path


def test_audit_text_output_groups_by_file_with_line_severity_rule_and_fix(tree):
    code, out, err = run(["audit", str(tree)])
    assert (code, err) == (0, "")
    assert out == textwrap.dedent("""\
        worker.py
          5: warning http-call-without-timeout  Outbound HTTP call without a timeout: `requests.get()` has no `timeout=`
              fix: return requests.get("https://rates.example.com/latest", timeout=10).json()

        """) + out.splitlines()[-1] + "\n"
    assert out.splitlines()[-1].startswith("1 finding (1 warning) in 1 file (")


def test_fail_on_sets_exit_code_one_at_or_above_the_level(tree):
    assert run(["audit", str(tree), "--fail-on", "warning"])[0] == 1
    assert run(["audit", str(tree), "--fail-on", "error"])[0] == 0


def test_json_format_carries_fingerprints(tree):
    _, out, _ = run(["audit", str(tree), "--format", "json"])
    data = json.loads(out)
    (finding,) = [f for f in data["findings"] if f["rule"] == "http-call-without-timeout"]
    assert finding["path"] == "worker.py" and finding["line"] == 5 and len(finding["fingerprint"]) == 16


def test_usage_errors_exit_two_without_traceback(tree):
    code, _, err = run(["audit", str(tree), "--fail-on", "sometimes"])
    assert code == 2 and "fail-on must be none, info, warning or error" in err and "Traceback" not in err
    code, _, err = run(["review"])
    assert code == 2 and "--base" in err
    code, _, err = run(["audit", str(tree / "nope")])
    assert code == 2 and "is not a directory" in err


def test_bad_config_exits_two_naming_file_and_key(tree):
    (tree / ".github").mkdir()
    (tree / ".github" / "arch-review.yml").write_text("rules:\n  http-call-without-timout: off\n")
    code, _, err = run(["audit", str(tree)])
    assert code == 2
    assert err == ("arch-review: invalid config .github/arch-review.yml: rules.http-call-without-timout: "
                   "unknown rule id (did you mean \"http-call-without-timeout\"?); `arch-review rules` lists them\n")


def test_config_disables_a_rule(tree):
    (tree / ".github").mkdir()
    (tree / ".github" / "arch-review.yml").write_text("rules:\n  http-call-without-timeout: off\n")
    _, out, _ = run(["audit", str(tree), "--format", "json"])
    assert [f for f in json.loads(out)["findings"] if f["rule"] == "http-call-without-timeout"] == []


def git(repo, *args):
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


def test_review_reports_only_the_changed_files_on_new_side_lines(tmp_path):
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "config", "user.email", "t@example.com")
    git(tmp_path, "config", "user.name", "t")
    (tmp_path / "old.py").write_text(WORKER)  # an existing problem the PR does not touch
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-qm", "base")
    git(tmp_path, "checkout", "-qb", "feature")
    (tmp_path / "new.py").write_text("import requests\n\n\ndef ping():\n    return requests.post('http://x/y')\n")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-qm", "head")
    code, out, err = run(["review", "--base", "main", "--head", "feature", "--repo", str(tmp_path),
                          "--format", "json"])
    assert code == 0, err
    found = {(f["rule"], f["path"], f["line"]) for f in json.loads(out)["findings"]}
    assert found == {("http-call-without-timeout", "new.py", 5)}


def test_review_of_an_unknown_ref_is_a_clear_error(tmp_path):
    git(tmp_path, "init", "-q")
    code, _, err = run(["review", "--base", "nope", "--repo", str(tmp_path)])
    assert code == 2 and "unknown git ref 'nope'" in err


def test_audit_of_a_git_checkout_honours_gitignore(tmp_path):
    git(tmp_path, "init", "-q")
    (tmp_path / ".gitignore").write_text("build/\n")
    (tmp_path / "build").mkdir()
    (tmp_path / "build" / "generated.py").write_text(WORKER)
    (tmp_path / "worker.py").write_text(WORKER)  # untracked but not ignored: still audited
    _, out, _ = run(["audit", str(tmp_path), "--format", "json"])
    assert {f["path"] for f in json.loads(out)["findings"]} == {"worker.py"}


def test_audit_of_an_ignored_directory_walks_it(tmp_path):
    git(tmp_path, "init", "-q")
    (tmp_path / ".gitignore").write_text("generated/\n")
    (tmp_path / "generated").mkdir()
    (tmp_path / "generated" / "worker.py").write_text(WORKER)
    _, out, _ = run(["audit", str(tmp_path / "generated"), "--format", "json"])
    assert {f["path"] for f in json.loads(out)["findings"]} == {"worker.py"}


def test_review_names_binary_candidates_but_not_images(tmp_path):
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "config", "user.email", "t@example.com")
    git(tmp_path, "config", "user.name", "t")
    (tmp_path / "a.py").write_text("x = 1\n")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-qm", "base")
    (tmp_path / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\0\0")
    (tmp_path / "deploy.yaml").write_bytes(b"kind: \0\0binary")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-qm", "head")
    _, out, _ = run(["review", "--base", "HEAD~1", "--head", "HEAD", "--repo", str(tmp_path), "--format", "json"])
    assert json.loads(out)["notes"] == ["deploy.yaml: skipped, binary file"]


def pr_repo(tmp_path: Path) -> Path:
    """main: nothing; feature: the same manifest in two folders (a copy), with an info finding too."""
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "config", "user.email", "t@example.com")
    git(tmp_path, "config", "user.name", "t")
    (tmp_path / "README.md").write_text("shop\n")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-qm", "base")
    git(tmp_path, "checkout", "-qb", "feature")
    manifest = textwrap.dedent("""\
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: cart
        spec:
          replicas: 2
          template:
            spec:
              containers:
                - name: cart
                  image: ghcr.io/acme/cart:latest
        """)
    for folder in ("kustomize/base", "kustomize/overlays/prod"):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "cart.yaml").write_text(manifest)
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-qm", "head")
    return tmp_path


def test_min_severity_hides_what_is_below_it_but_fail_on_counts_everything(tmp_path):
    repo = pr_repo(tmp_path)
    args = ["review", "--base", "main", "--head", "feature", "--repo", str(repo), "--format", "json"]
    _, out, _ = run(args)
    severities = {f["severity"] for f in json.loads(out)["findings"]}
    assert "info" in severities and "warning" in severities
    code, out, err = run([*args, "--min-severity", "warning", "--fail-on", "info"])
    assert code == 1, err  # an info finding still fails the run
    assert {f["severity"] for f in json.loads(out)["findings"]} == {"warning"}
    code, _, err = run(["audit", str(repo), "--min-severity", "loud"])
    assert code == 2 and "--min-severity must be info, warning or error" in err


def test_pr_format_shows_what_a_pull_request_run_would_post_grouped_and_placed(tmp_path):
    repo = pr_repo(tmp_path)
    code, out, err = run(["review", "--base", "main", "--head", "feature", "--repo", str(repo), "--format", "pr"])
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "would post 1 review with 3 inline comments:"
    assert "  kustomize/base/cart.yaml:11  k8s-image-mutable-tag" in lines
    assert ("  kustomize/overlays/prod/cart.yaml:11  k8s-image-mutable-tag  (same cause: listed in the comment on "
            "kustomize/base/cart.yaml:11)") in lines
    notes = lines[lines.index(next(x for x in lines if x.startswith("and ") and "collapsed Notes" in x)):]
    assert any("k8s-missing-liveness-probe" in x for x in notes)
    assert re.fullmatch(r"review body: [\d,]+ characters \(GitHub's limit: 65,536\)", lines[-1])
    assert int(lines[-1].split()[2].replace(",", "")) > 200


def test_version_and_help_import_no_rule():
    import sys

    probe = ("import sys, io, contextlib\nfrom reviewer.cli import main\n"
             "for argv in (['--version'], ['--help'], []):\n"
             "    with contextlib.redirect_stdout(io.StringIO()):\n"
             "        try:\n            main(argv, io.StringIO(), io.StringIO())\n"
             "        except SystemExit:\n            pass\n"
             "print(sorted(m for m in sys.modules\n"
             "             if m.startswith('reviewer.rules.') and m != 'reviewer.rules.registry'))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_audit_outside_git_honours_gitignore_files_with_gitignore_semantics(tmp_path):
    (tmp_path / ".gitignore").write_text("# generated\nbuild/\n*_gen.py\n/top_only.py\n!keep_gen.py\n")
    for rel in ("build/x.py", "svc/build/y.py", "svc/a_gen.py", "svc/keep_gen.py", "top_only.py", "svc/top_only.py",
                "svc/worker.py", "jobs/local.py", "jobs/sub/local.py"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(WORKER)
    (tmp_path / "jobs" / ".gitignore").write_text("/local.py\n")
    _, out, _ = run(["audit", str(tmp_path), "--format", "json"])
    assert {f["path"] for f in json.loads(out)["findings"]} == {
        "svc/keep_gen.py", "svc/top_only.py", "svc/worker.py", "jobs/sub/local.py"}


def test_a_python_only_review_imports_only_the_python_rule_families(tmp_path):
    """What a review loads is what it pays for at start-up: a Python edit wakes no compose, Docker
    or Kubernetes family, and no service model unless a rule asks for one."""
    import sys

    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "config", "user.email", "t@example.com")
    git(tmp_path, "config", "user.name", "t")
    (tmp_path / "docker-compose.yml").write_text("services:\n  orders:\n    build: ./orders\n")
    (tmp_path / "orders").mkdir()
    (tmp_path / "orders" / "models.py").write_text("ORDERS = 1\n")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-qm", "base")
    (tmp_path / "orders" / "models.py").write_text("# the orders\nORDERS = 1\n")
    git(tmp_path, "commit", "-qam", "one line")
    probe = ("import io, sys; from reviewer.cli import main; "
             "main(['review', '--repo', sys.argv[1], '--base', 'HEAD~1', '--head', 'HEAD'], io.StringIO(), "
             "io.StringIO()); print(' '.join(sorted(m for m in sys.modules if m.startswith('reviewer.'))))")
    loaded = set(subprocess.run([sys.executable, "-c", probe, str(tmp_path)], capture_output=True, text=True,
                                check=True).stdout.split())
    assert "reviewer.rules.http" in loaded
    assert not {m for m in loaded if m.startswith(("reviewer.rules.k8s", "reviewer.rules.compose",
                                                   "reviewer.rules.dockerfile"))}
    assert "reviewer.services.build" not in loaded
