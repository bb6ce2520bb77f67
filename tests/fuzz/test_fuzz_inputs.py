"""Properties over generated hostile input: each reader returns (or raises one of the product's
own errors, from reviewer.errors), and each example finishes within the profile's deadline."""

import contextlib
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from reviewer.config import Config, config_from_mapping, load_config_text
from reviewer.diff import from_github_files, hunks_from_github_patch, parse_unified_diff
from reviewer.engine import audit_tree
from reviewer.errors import ConfigError, ReviewerError
from reviewer.sources.dockerfile import parse_dockerfile
from reviewer.sources.helm import sanitize_template
from reviewer.sources.yaml_docs import MAX_ALIASED_NODES, load_yaml
from reviewer.workspace.files import DictSource
from tests.fuzz import strategies as gen

KNOWN_RULES = {"k8s-single-replica", "http-call-without-timeout"}


@given(gen.diff_text())
def test_unified_diff_reader(text):
    changes = parse_unified_diff(text)
    for change in changes.files.values():
        assert all(h.added <= h.visible for h in change.hunks)


@given(st.lists(gen.github_entry, max_size=5), st.one_of(st.none(), st.text(max_size=8)))
def test_github_files_reader(entries, sha):
    try:
        changes = from_github_files(entries, head_sha=sha)
    except ReviewerError:
        return
    assert set(changes.files) <= {str(e["filename"]) for e in entries}


@given(st.text(max_size=30), st.one_of(gen.diff_text(), st.text(max_size=200)))
def test_github_patch_reader(path, patch):
    hunks_from_github_patch(path, patch)


@given(gen.yaml_text)
def test_yaml_loader(text):
    loaded = load_yaml(text, "fuzz.yaml")
    for doc in loaded.docs:
        assert doc.start_line <= doc.end_line
        str(doc.data)  # what an alias bomb made unbounded: printing shared values
    assert all(p.path == "fuzz.yaml" for p in loaded.problems)


@given(gen.alias_tower())
def test_alias_expansion_is_bounded(text):
    loaded = load_yaml(text)
    assert loaded.error is None
    assert loaded.docs or "alias" in str(loaded.problems[0])
    for doc in loaded.docs:
        assert len(str(doc.data)) < 40 * MAX_ALIASED_NODES


@given(st.one_of(gen.dockerfile(), st.text(max_size=300)))
def test_dockerfile_parser(text):
    df = parse_dockerfile(text)
    for stage in df.stages:
        chain = df.chain(stage)
        assert len(chain) <= len(df.stages) and all(s.index <= stage.index for s in chain)


@given(st.one_of(gen.helm_template(), st.text(max_size=300)))
def test_helm_sanitiser_keeps_lines_and_yields_parseable_text_or_a_source_error(text):
    tpl = sanitize_template(text)
    assert tpl.text.count("\n") == text.count("\n")
    load_yaml(tpl.text, "chart/templates/x.yaml")


@given(gen.config_text)
def test_config_loader(text):
    with contextlib.suppress(ConfigError):
        load_config_text(text, "cfg.yml", KNOWN_RULES)


@given(gen.nested(gen.CONFIG_KEYS))
def test_config_from_any_value(data):
    with contextlib.suppress(ConfigError):
        config_from_mapping(data, "cfg.yml", KNOWN_RULES)


def _failed_rules(files: dict[str, str]) -> list[str]:
    report, _ = audit_tree(DictSource(files), Config())
    return [n for n in report.notes if n.startswith("rule ") and " failed " in n]


@settings(deadline=timedelta(seconds=3))
@given(gen.repository())
def test_engine_on_generated_trees(files):
    failed = _failed_rules(files)
    assert not failed, failed


def test_a_list_item_without_a_kind_fails_no_rule():
    """Found by the fuzzer: `kind: List` items without a kind made the service model raise."""
    assert not _failed_rules({"k8s/m0.yaml": "apiVersion: v1\nkind: List\nitems:\n- {}\n"})
