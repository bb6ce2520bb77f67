"""Hostile YAML: alias bombs, recursive aliases, deep nesting and duplicate keys skip one document
with a note naming the file; the file's other documents and the other files are still reviewed."""

from reviewer.config import Config
from reviewer.engine import audit_tree
from reviewer.sources.yaml_docs import MAX_DEPTH, load_yaml, parse_yaml
from reviewer.workspace.files import DictSource


def alias_bomb(indent: str = "", levels: int = 9) -> tuple[str, str]:
    """Anchors of nine aliases of the anchor before: 9**8 (43 million) nodes from ~500 bytes."""
    lines = [f'{indent}l0: &l0 ["lol"]']
    lines += [f"{indent}l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]" for i in range(1, levels)]
    return "\n".join(lines) + "\n", f"*l{levels - 1}"


UNPINNED_DOCKERFILE = "FROM python:latest\nUSER 10001\nCMD [\"uvicorn\", \"app:app\"]\n"


def _audit(files: dict[str, str]):
    report, _ = audit_tree(DictSource({**files, "other/Dockerfile": UNPINNED_DOCKERFILE}), Config())
    return report


def test_alias_bomb_in_compose_skips_the_document_and_other_files_are_reviewed():
    anchors, ref = alias_bomb("  ")
    compose = f"x-lol:\n{anchors}services:\n  api:\n    image: python:3.12\n    restart: {ref}\n"
    report = _audit({"docker-compose.yml": compose})
    assert any(n.startswith("docker-compose.yml:") and "document 1 skipped" in n and "alias" in n
               for n in report.notes), report.notes
    assert not [f for f in report.findings if f.path == "docker-compose.yml"]
    assert any(f.path == "other/Dockerfile" and f.rule_id == "docker-base-image-unpinned" for f in report.findings)


def test_alias_bomb_in_one_manifest_document_keeps_the_next_document():
    anchors, ref = alias_bomb()
    deployment = ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n"
                  "    spec:\n      containers:\n        - name: api\n          image: api:latest\n")
    report = _audit({"k8s/app.yaml": f"{anchors}apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: lol\n"
                                     f"  labels: {{app: {ref}}}\n---\n{deployment}"})
    assert any(n.startswith("k8s/app.yaml:") and "document 1 skipped" in n for n in report.notes), report.notes
    assert any(f.path == "k8s/app.yaml" and f.rule_id == "k8s-image-mutable-tag" for f in report.findings)
    assert any(f.path == "other/Dockerfile" for f in report.findings)


def test_few_aliases_are_fine():
    loaded = load_yaml("x: &d {restart: always, image: a}\ns1: {<<: *d}\ns2: *d\ns3: *d\n")
    assert loaded.problems == [] and loaded.docs[0].data["s3"] == {"restart": "always", "image": "a"}


def test_an_alias_inside_its_own_anchor_skips_the_document():
    loaded = load_yaml("a: 1\n---\nloop: &me [1, *me]\n---\nb: 2\n", "x.yaml")
    assert [d.data for d in loaded.docs] == [{"a": 1}, {"b": 2}]
    assert [str(p) for p in loaded.problems] == [
        "x.yaml:3: document 2 skipped: an alias refers to the anchor it is inside of"]


def test_nesting_deeper_than_the_limit_skips_the_document():
    deep = "k: " + "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5) + "\n"
    docs, err = parse_yaml(f"{deep}---\nb: 2\n", "deep.yaml")
    assert [d.data for d in docs] == [{"b": 2}]
    assert err is not None and "document 1 skipped: nested more than" in str(err)


def test_duplicate_key_is_named_with_both_lines_and_the_later_value_wins():
    docs, err = parse_yaml("services:\n  api:\n    image: a:1\n    image: b:2\n", "compose.yaml")
    assert docs[0].data["services"]["api"]["image"] == "b:2"
    assert docs[0].data["services"]["api"].line_of("image") == 4
    assert str(err) == "compose.yaml:4: duplicate key `image` (first on line 3): the later value, on line 4, is used"


def test_duplicate_key_note_reaches_the_report():
    report = _audit({"docker-compose.yml": "services:\n  db:\n    image: postgres:16\n    image: redis:7\n"})
    assert any("docker-compose.yml:4: duplicate key `image`" in n for n in report.notes), report.notes


def test_several_problems_are_all_named_in_one_error():
    _, err = parse_yaml("a: 1\na: 2\n---\nl: &x [*x]\n", "f.yaml")
    assert err is not None
    assert "line 2: duplicate key `a`" in str(err) and "line 4: document 2 skipped" in str(err)
