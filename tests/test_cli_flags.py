"""The flags people bring from ruff and checkov: --select/--ignore, several --format, --output,
--baseline/--write-baseline, `rules RULE-ID`, --format github off a runner, audit of files."""

import io
import json
import textwrap
from pathlib import Path

import pytest

from reviewer.cli import main

WORKER = textwrap.dedent("""\
    import requests


    def refresh_rates():
        return requests.get("https://rates.example.com/latest").json()
""")
DOCKERFILE = "FROM python:3.12-slim\nCOPY . /app\nCMD python -m app\n"


def run(argv):
    out, err = io.StringIO(), io.StringIO()
    code = main(argv, out, err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "worker.py").write_text(WORKER)
    (tmp_path / "Dockerfile").write_text(DOCKERFILE)
    return tmp_path


def rules_of(out: str) -> set[str]:
    return {f["rule"] for f in json.loads(out)["findings"]}


def test_select_and_ignore_take_ids_and_prefixes(tree):
    everything = rules_of(run(["audit", str(tree), "--format", "json"])[1])
    docker = {r for r in everything if r.startswith("docker-")}
    assert "http-call-without-timeout" in everything and docker
    assert rules_of(run(["audit", str(tree), "--format", "json", "--select", "docker-"])[1]) == docker
    assert rules_of(run(["audit", str(tree), "--format", "json", "--select", "docker-,http-call-without-timeout",
                         "--ignore", "docker-"])[1]) == {"http-call-without-timeout"}
    code, out, err = run(["audit", str(tree), "--ignore", "http-call-without-timeot"])
    assert code == 2 and out == ""
    assert err == ("arch-review: --ignore http-call-without-timeot: no rule id is or starts with "
                   "'http-call-without-timeot' (did you mean \"http-call-without-timeout\"?)\n")


def test_several_formats_in_one_run_each_to_its_place(tree, tmp_path):
    sarif = tmp_path / "out.sarif"
    code, out, err = run(["audit", str(tree), "--format", "text", "--format", f"sarif={sarif}", "--fail-on", "warning"])
    assert code == 1, err
    assert out.startswith("Dockerfile\n") and "worker.py\n  5: warning http-call-without-timeout" in out
    results = json.loads(sarif.read_text())["runs"][0]["results"]
    assert "http-call-without-timeout" in {r["ruleId"] for r in results}
    listing = tmp_path / "findings.json"
    code, out, _ = run(["audit", str(tree), "--format", "json", "--output", str(listing)])
    assert (code, out) == (0, "") and "http-call-without-timeout" in rules_of(listing.read_text())
    code, _, err = run(["audit", str(tree), "--format", "text", "--format", "json"])
    assert code == 2 and "only one format goes to stdout; give the others a file (FORMAT=FILE)" in err
    code, _, err = run(["audit", str(tree), "--format", "sarfi"])
    assert code == 2 and 'did you mean "sarif"?' in err


def test_a_baseline_adopts_a_legacy_repository_and_later_only_new_findings_show_and_fail(tree, tmp_path):
    baseline = tmp_path / "baseline.json"
    code, out, err = run(["audit", str(tree), "--write-baseline", str(baseline), "--fail-on", "warning"])
    written = json.loads(baseline.read_text())["findings"]
    assert code == 1 and "http-call-without-timeout" in {e["rule"] for e in written}
    assert f"note: baseline of {len(written)} findings written to {baseline}" in out
    code, out, _ = run(["audit", str(tree), "--baseline", str(baseline), "--fail-on", "warning"])
    assert code == 0
    assert f"note: {len(written)} findings in the baseline {baseline} not shown" in out
    assert out.splitlines()[-1].startswith("no findings")
    # unrelated lines above the old finding keep it known; a new call is new
    (tree / "worker.py").write_text('"""Rates."""\n' + WORKER + '\n\ndef ping():\n    return requests.get("https://x")\n')
    code, out, _ = run(["audit", str(tree), "--baseline", str(baseline), "--fail-on", "warning", "--format", "json"])
    assert code == 1
    assert [(f["rule"], f["line"]) for f in json.loads(out)["findings"]] == [("http-call-without-timeout", 10)]
    # a bumped base image keeps the findings about the same container known
    (tree / "Dockerfile").write_text(DOCKERFILE.replace("python:3.12-slim", "python:3.12.8-slim"))
    code, out, _ = run(["audit", str(tree), "--baseline", str(baseline), "--format", "json"])
    assert not [f for f in json.loads(out)["findings"] if f["path"] == "Dockerfile"]
    baseline.write_text("{}")
    code, _, err = run(["audit", str(tree), "--baseline", str(baseline)])
    assert code == 2 and "is not an arch-review baseline (write one with --write-baseline)" in err


def test_rules_with_an_id_prints_that_rules_documentation(tree):
    code, out, err = run(["rules", "http-call-without-timeout"])
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].startswith("http-call-without-timeout: Outbound HTTP call")
    assert "Why is this bad?" in lines and "Use instead:" in lines
    assert any(line.startswith("speaks in: ") for line in lines)
    assert "timeout=" in out
    code, out, err = run(["rules", "http-call-without-timout"])
    assert code == 2 and out == "" and 'did you mean "http-call-without-timeout"?' in err


def test_github_format_prints_every_annotation_off_a_runner_and_caps_on_one(tmp_path, monkeypatch):
    calls = "\n".join(f"def f{i}():\n    return requests.get('https://x/{i}')\n" for i in range(12))
    (tmp_path / "worker.py").write_text(f"import requests\n\n\n{calls}")
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    _, out, _ = run(["audit", str(tmp_path), "--format", "github", "--select", "http-call-without-timeout"])
    assert len([x for x in out.splitlines() if x.startswith("::warning file=worker.py")]) == 12
    assert "not shown as annotations" not in out
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    _, out, _ = run(["audit", str(tmp_path), "--format", "github", "--select", "http-call-without-timeout"])
    assert len([x for x in out.splitlines() if x.startswith("::warning ")]) == 10
    assert "2 more findings not shown as annotations (2 warnings)" in out


def test_audit_of_a_path_with_nothing_relevant_says_what_it_looked_for(tmp_path):
    (tmp_path / "notes.md").write_text("# notes\n")
    (tmp_path / "logo.svg").write_text("<svg/>\n")
    code, out, err = run(["audit", str(tmp_path)])
    assert (code, err) == (0, "")
    assert (f"note: nothing to review in {tmp_path}: no relevant file found; arch-review reads FastAPI/Python code, "
            "docker-compose files, Dockerfiles, Kubernetes manifests, Helm charts, OpenAPI documents") in out


def test_audit_of_files_reports_on_those_files_only(tree, monkeypatch):
    monkeypatch.chdir(tree)
    code, out, err = run(["audit", "worker.py", "--format", "json"])
    assert code == 0, err
    assert {f["path"] for f in json.loads(out)["findings"]} == {"worker.py"}
    code, _, err = run(["audit", "worker.py", "missing.yaml"])
    assert code == 2 and "missing.yaml is not a file" in err


def test_config_init_writes_a_starter_that_config_check_accepts(tmp_path):
    target = tmp_path / ".github" / "arch-review.yml"
    code, out, err = run(["config", "--init", str(target)])
    assert (code, err) == (0, "") and out.startswith(f"wrote {target}: ")
    text = target.read_text()
    assert text.startswith("# yaml-language-server: $schema=https://raw.githubusercontent.com/arch-review/")
    assert run(["config", "--check", str(target)]) == (0, f"{target}: valid\n", "")
    code, _, err = run(["config", "--init", str(target)])
    assert code == 2 and "exists; not overwritten" in err and target.read_text() == text
    target.write_text("rules:\n  k8s-single-replca: off\npaths:\n  exlude: [a]\n")
    code, out, err = run(["config", "--check", str(target)])
    assert code == 2 and out == ""
    assert err.splitlines() == [
        f"arch-review: invalid config {target}: 2 problems:",
        f'  {target}: paths.exlude: unknown key (did you mean "exclude"?)',
        f'  {target}: rules.k8s-single-replca: unknown rule id (did you mean "k8s-single-replica"?); '
        "`arch-review rules` lists them",
    ]


def test_a_suppression_naming_no_rule_is_a_note_not_silence(tmp_path):
    (tmp_path / "worker.py").write_text(WORKER.replace(
        '.json()', '.json()  # arch-review: ignore[http-call-without-timout] the SDK sets one'))
    (tmp_path / "api.yaml").write_text(textwrap.dedent("""\
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: api
          annotations:
            arch-review.io/ignore: "k8s-single-replica,k8s-no-such-check"
        spec:
          selector: {matchLabels: {app: api}}
          template:
            metadata: {labels: {app: api}}
            spec:
              containers: [{name: api, image: "api:1.0"}]
    """))
    code, out, _ = run(["audit", str(tmp_path), "--select", "http-call-without-timeout"])
    assert code == 0
    assert ('note: worker.py:5: the suppression names `http-call-without-timout`, which is no rule '
            '(did you mean "http-call-without-timeout"?); it suppresses nothing') in out
    assert "note: api.yaml:6: the suppression names `k8s-no-such-check`, which is no rule" in out
    assert "k8s-single-replica`" not in out
    assert "worker.py\n  5: warning http-call-without-timeout" in out  # the typo suppressed nothing
