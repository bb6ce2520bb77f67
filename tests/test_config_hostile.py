"""Config files written by hand or by a generator: YAML 1.1 spellings, non-finite numbers, alias
bombs, duplicate keys, and tens of thousands of path globs."""


import pathspec
import pytest

from reviewer.config import Config, PathGlobs, load_config_text
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


def _reference(path: str, pattern: str) -> bool:
    """git's rule, through pathspec one pattern at a time: a path matches when it, or a directory above
    it, matches (git does not look inside an ignored directory)."""
    spec = pathspec.PathSpec.from_lines("gitignore", [pattern])
    parts = path.split("/")
    return spec.match_file(path) or any(spec.match_file("/".join(parts[:i]) + "/") for i in range(1, len(parts)))


PATTERNS = ["services/**", "**/test_*.py", "legacy/*", "*.py", "a/b/c.py", "**/gen.py", "x/*/y/**", "docs",
            "a[1]/**", "src/?.py", "**/deep/**", "k8s/*.yaml", "[!a]*/x.py", "**", "a/**/z.py", "a//**", "build/",
            "/top.py", "gen/*.py"]
PATHS = ["services/orders/app.py", "test_x.py", "pkg/test_y.py", "legacy/a/b.py", "legacy/a.py", "app.py",
         "a/b/c.py", "z/gen.py", "gen.py", "x/q/y/z.py", "docs", "docs/x", "a[1]/x", "src/a.py", "src/ab.py",
         "p/deep/q", "deep/q", "k8s/a.yaml", "k8s/b/c.yaml", "b/x.py", "a/x.py", "a/k/z.py", "a//q", "Dockerfile",
         "a1/x", "build", "build/x", "q/build/y", "top.py", "q/top.py", "gen/a.py", "gen/b/a.py", "a/b/c.py/d"]


@pytest.mark.parametrize("pattern", PATTERNS)
def test_path_globs_match_like_one_pattern_at_a_time(pattern):
    globs = PathGlobs.of([pattern])
    assert [p for p in PATHS if globs.match(p)] == [p for p in PATHS if _reference(p, pattern)]


def test_many_patterns_together_match_their_union():
    globs = PathGlobs.of(PATTERNS)
    assert [p for p in PATHS if globs.match(p)] == [p for p in PATHS if any(_reference(p, g) for g in PATTERNS)]


def test_fifty_thousand_globs_are_grouped_not_tried_one_by_one():
    exclude = [f"services/svc{i}/**" for i in range(20_000)] + [f"gen/mod{i}/*.py" for i in range(20_000)] \
        + [f"**/generated_{i}.py" for i in range(10_000)]
    cfg = Config(exclude=tuple(exclude))
    assert not cfg.path_included("services/svc19999/app.py")
    assert not cfg.path_included("gen/mod7/x.py") and cfg.path_included("gen/mod7/x.txt/y")
    assert not cfg.path_included("a/b/generated_9999.py") and cfg.path_included("a/b/generated_10000.py")
    globs = cfg._exclude_globs
    assert (len(globs.by_head), len(globs.below), len(globs.names)) == (20_000, 20_000, 10_000)
