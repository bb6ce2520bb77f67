"""Config files written by hand or by a generator: YAML 1.1 spellings, non-finite numbers, alias
bombs, duplicate keys, and tens of thousands of path globs."""

import pytest

from reviewer.config import load_config_text
from reviewer.errors import ConfigError
from tests.test_hostile_yaml import alias_bomb

KNOWN = {"http-call-without-timeout", "k8s-single-replica"}


def _error(text: str) -> ConfigError:
    with pytest.raises(ConfigError) as exc:
        load_config_text(text, "cfg.yml", KNOWN)
    return exc.value


def test_yaml_1_1_boolean_keys_are_named_as_written():
    err = _error("rules: {on: off}\n")
    assert err.key == "rules.on" and "unknown rule id" in str(err)


def test_on_and_off_values_still_switch_rules():
    cfg = load_config_text("rules:\n  k8s-single-replica: off\n  http-call-without-timeout: on\n", "cfg.yml", KNOWN)
    assert not cfg.rule_enabled("k8s-single-replica") and cfg.rule_enabled("http-call-without-timeout")


def test_a_key_that_is_not_text_is_named():
    err = _error("rules:\n  true: off\n")
    assert err.key == "rules.True" and "must be text" in str(err)


@pytest.mark.parametrize(("text", "key"), [
    ("model:\n  min-confidence: .nan\n", "model.min-confidence"),
    ("model:\n  min-confidence: .NaN\n", "model.min-confidence"),
    ("model:\n  max-requests: .inf\n", "model.max-requests"),
    ("model:\n  concurrency: -.Inf\n", "model.concurrency"),
    ("comments:\n  max-inline: .inf\n", "comments.max-inline"),
])
def test_non_finite_numbers_are_rejected(text, key):
    err = _error(text)
    assert err.key == key and "must be a finite number" in str(err)


def test_an_alias_bomb_is_a_config_error_not_a_hang():
    anchors, ref = alias_bomb()
    err = _error(f"{anchors}paths:\n  exclude: {ref}\n")
    assert "alias" in str(err) and err.key is not None and err.key.startswith("line ")


def test_a_duplicate_key_is_an_error_with_both_lines():
    err = _error("fail-on: error\nfail-on: none\n")
    assert str(err) == ("invalid config cfg.yml: line 2: duplicate key `fail-on` (first on line 1): "
                        "the later value, on line 2, is used")


def test_two_documents_are_an_error():
    assert "one YAML document" in str(_error("fail-on: error\n---\nfail-on: none\n"))
