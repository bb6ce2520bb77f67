from reviewer.sources.yaml_docs import YList, YMap, get_path, line_of, parse_yaml

MANIFEST = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: orders
spec:
  template:
    spec:
      terminationGracePeriodSeconds: 0
      containers:
        - name: api
          image: orders:latest
          ports:
            - 22:22
---
apiVersion: v1
kind: Service
metadata:
  name: orders
"""


def test_keys_keep_their_lines_across_documents():
    docs, err = parse_yaml(MANIFEST)
    assert err is None
    assert [d.start_line for d in docs] == [1, 15]
    deploy = docs[0].data
    assert line_of(deploy, "spec", "template", "spec", "terminationGracePeriodSeconds") == 8
    container = get_path(deploy, "spec", "template", "spec", "containers", 0)
    assert isinstance(container, YMap) and container.line_of("image") == 11
    containers = get_path(deploy, "spec", "template", "spec", "containers")
    assert isinstance(containers, YList) and containers.item_lines == [10]


def test_yaml_1_2_scalars_port_pairs_and_on_stay_strings():
    docs, _ = parse_yaml("ports:\n  - 22:22\non: push\nyes: no\ncount: 3\nratio: 0.5\nflag: true\nnone: ~\n")
    data = docs[0].data
    assert data["ports"] == ["22:22"]
    assert data["on"] == "push"
    assert data["yes"] == "no"
    assert (data["count"], data["ratio"], data["flag"], data["none"]) == (3, 0.5, True, None)


def test_quoted_and_explicit_strings_are_not_typed():
    docs, _ = parse_yaml('a: "3"\nb: !!str 4\nc: \'true\'\n')
    assert docs[0].data == {"a": "3", "b": "4", "c": "true"}


def test_merge_keys_are_resolved_and_explicit_keys_win():
    docs, _ = parse_yaml("x: &base\n  restart: always\n  image: a\ny:\n  <<: *base\n  image: b\n")
    assert docs[0].data["y"] == {"image": "b", "restart": "always"}


def test_invalid_yaml_keeps_the_documents_before_the_error_and_names_the_line():
    docs, err = parse_yaml("a: 1\n---\nb: [1\nc: 2\n", "k8s/bad.yaml")
    assert [d.data for d in docs] == [{"a": 1}]
    assert err is not None and err.path == "k8s/bad.yaml" and err.line == 4
    assert "invalid YAML" in str(err)
