import textwrap

import pytest

from reviewer.config import Config, load_config_text
from reviewer.errors import ConfigError
from reviewer.model import Severity

KNOWN = {"http-call-without-timeout", "k8s-single-replica"}


def test_full_config_is_parsed_into_one_typed_value():
    cfg = load_config_text("""
rules:
  http-call-without-timeout: error
  k8s-single-replica: off
paths:
  include: ["services/**"]
  exclude: ["services/legacy/**"]
services:
  roots: [services/orders/]
comments:
  max-inline: 5
  min-inline-severity: error
fail-on: warning
model:
  name: claude-sonnet-4-5
  concurrency: 2
""", ".github/arch-review.yml", KNOWN)
    assert cfg.severities["http-call-without-timeout"] is Severity.ERROR
    assert not cfg.rule_enabled("k8s-single-replica") and cfg.rule_enabled("http-call-without-timeout")
    assert cfg.path_included("services/orders/app.py")
    assert not cfg.path_included("services/legacy/app.py") and not cfg.path_included("tools/x.py")
    assert cfg.service_roots == ("services/orders",)
    assert (cfg.max_comments, cfg.min_inline_severity, cfg.fail_on) == (5, Severity.ERROR, Severity.WARNING)
    assert (cfg.model.name, cfg.model.concurrency) == ("claude-sonnet-4-5", 2)


def test_missing_file_means_defaults():
    assert load_config_text(None, "x") == Config()
    assert Config().min_inline_severity is Severity.WARNING  # info goes to the review's Notes


@pytest.mark.parametrize(("text", "key"), [
    ("rulez: {}\n", "rulez"),
    ("paths:\n  inclde: [a]\n", "paths.inclde"),
    ("rules:\n  no-such-rule: off\n", "rules.no-such-rule"),
    ("comments:\n  max-inline: -1\n", "comments.max-inline"),
    ("comments:\n  min-inline-severity: notice\n", "comments.min-inline-severity"),
    ("fail-on: sometimes\n", "fail-on"),
])
def test_bad_config_names_the_file_and_the_key(text, key):
    with pytest.raises(ConfigError) as exc:
        load_config_text(text, ".github/arch-review.yml", KNOWN)
    assert exc.value.key == key
    assert str(exc.value).startswith(f"invalid config .github/arch-review.yml: {key}")


def test_invalid_yaml_is_a_config_error_with_the_line():
    with pytest.raises(ConfigError) as exc:
        load_config_text("rules: [\n", "cfg.yml", KNOWN)
    assert "not valid YAML" in str(exc.value)


def test_model_findings_follow_the_same_switches_overrides_and_paths():
    from reviewer.model import Category, Finding, Source

    cfg = load_config_text("rules:\n  llm-security: off\n  llm-resilience: info\npaths:\n  exclude: [legacy/**]\n",
                           "cfg.yml", KNOWN)

    def model(category, path="svc/app.py"):
        return Finding(f"llm-{category.value}", Severity.WARNING, category, path, 3, "t", "b", source=Source.LLM)

    kept = cfg.apply([model(Category.SECURITY), model(Category.RESILIENCE), model(Category.API),
                      model(Category.API, "legacy/app.py")])
    assert [(f.rule_id, f.severity) for f in kept] == [("llm-resilience", Severity.INFO),
                                                       ("llm-api", Severity.WARNING)]


def test_every_config_problem_is_reported_at_once_with_its_key_and_a_did_you_mean():
    text = ("rules:\n  http-call-without-timout: off\n  k8s-single-replica: loud\n"
            "paths:\n  inclde: [services/**]\ncomments:\n  max-inlne: 5\nfail-on: sometimes\n")
    with pytest.raises(ConfigError) as exc:
        load_config_text(text, ".github/arch-review.yml", KNOWN)
    lines = str(exc.value).splitlines()
    assert lines[0] == "invalid config .github/arch-review.yml: 5 problems:"
    assert sorted(lines[1:]) == sorted([
        '  .github/arch-review.yml: comments.max-inlne: unknown key (did you mean "max-inline"?)',
        "  .github/arch-review.yml: fail-on: 'sometimes' is not one of ['none', 'info', 'warning', 'error']",
        "  .github/arch-review.yml: paths.inclde: unknown key (did you mean \"include\"?)",
        "  .github/arch-review.yml: rules.http-call-without-timout: unknown rule id "
        "(did you mean \"http-call-without-timeout\"?); `arch-review rules` lists them",
        next(x for x in lines if "rules.k8s-single-replica:" in x),
    ])
    assert "'loud' is not valid" in next(x for x in lines if "rules.k8s-single-replica:" in x)


def test_overrides_switch_rules_and_severities_for_some_paths_only():
    cfg = load_config_text(textwrap.dedent("""\
        rules:
          k8s-single-replica: off
        overrides:
          - paths: ["tests/**", "scripts/*.py"]
            rules: {http-call-without-timeout: off}
          - paths: ["deploy/prod/**"]
            rules: {k8s-single-replica: error}
          - paths: ["tests/contract/**"]
            rules: {http-call-without-timeout: warning}
    """), "cfg.yml", KNOWN)
    assert not cfg.rule_enabled_at("http-call-without-timeout", "tests/unit/test_x.py")
    assert not cfg.rule_enabled_at("http-call-without-timeout", "scripts/seed.py")
    assert cfg.rule_enabled_at("http-call-without-timeout", "scripts/tools/seed.py")  # `*` does not cross `/`
    assert cfg.rule_enabled_at("http-call-without-timeout", "services/app.py")
    assert cfg.rule_enabled_at("http-call-without-timeout", "tests/contract/test_api.py")  # the later entry wins
    assert cfg.severity_at("http-call-without-timeout", "tests/contract/test_api.py") is Severity.WARNING
    assert cfg.rule_enabled("k8s-single-replica")  # off globally, on under deploy/prod: it must run
    assert not cfg.rule_enabled_at("k8s-single-replica", "deploy/staging/api.yaml")
    assert cfg.severity_at("k8s-single-replica", "deploy/prod/api.yaml") is Severity.ERROR
    with pytest.raises(ConfigError) as exc:
        load_config_text("overrides:\n  - paths: [a/**]\n    rules: {k8s-single-replca: off}\n", "cfg.yml", KNOWN)
    assert exc.value.key == "overrides[0].rules.k8s-single-replca" and "did you mean" in exc.value.problem


def test_overrides_apply_in_an_audit(tmp_path):
    from reviewer.engine import audit_tree
    from reviewer.workspace.files import DictSource

    worker = "import requests\n\n\ndef f():\n    return requests.get('https://x')\n"
    cfg = load_config_text("overrides:\n  - paths: [tests/**]\n    rules: {http-call-without-timeout: off}\n"
                           "  - paths: [jobs/**]\n    rules: {http-call-without-timeout: info}\n", "cfg.yml")
    report, _ = audit_tree(DictSource({"tests/test_x.py": worker, "app/w.py": worker, "jobs/w.py": worker}), cfg)
    found = {(f.path, f.severity.value) for f in report.findings if f.rule_id == "http-call-without-timeout"}
    assert found == {("app/w.py", "warning"), ("jobs/w.py", "info")}


def test_the_schema_has_a_stable_id_titles_and_descriptions_and_ships_in_the_repo_too():
    import json
    from pathlib import Path

    from reviewer.config import _schema

    repo_copy = Path(__file__).resolve().parents[1] / "schema" / "arch-review.schema.json"
    schema = _schema()
    assert json.loads(repo_copy.read_text()) == schema
    assert schema["$id"] == "https://raw.githubusercontent.com/arch-review/arch-review/main/schema/arch-review.schema.json"
    missing = []
    stack = [("", schema)]
    while stack:
        where, node = stack.pop()
        for key, sub in node.get("properties", {}).items():
            if not (sub.get("title") and sub.get("description")) and where.count(".") < 2:
                missing.append(f"{where}.{key}")
            stack.append((f"{where}.{key}", sub))
            stack += [(f"{where}.{key}[]", sub["items"])] if isinstance(sub.get("items"), dict) else []
    assert missing == []
