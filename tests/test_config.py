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
