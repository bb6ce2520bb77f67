"""Regression: values of one YAML document must never leak into a later one (id() reuse after GC)."""

from pathlib import Path

from reviewer.sources.yaml_docs import get_path, parse_yaml

ROOT = Path(__file__).resolve().parents[1]


def test_each_document_keeps_its_own_values():
    docs, error = parse_yaml((ROOT / "examples" / "monorepo" / "k8s" / "orders.yaml").read_text())
    assert error is None
    assert [get_path(d.data, "spec", "selector") for d in docs] == [
        {"matchLabels": {"app": "orders"}}, {"app": "orders"}, {"matchLabels": {"app": "orders"}}]
