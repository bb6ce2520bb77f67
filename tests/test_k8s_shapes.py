"""Manifests of unexpected shapes (a scalar where a list belongs), `kind: List` documents and JSON
manifests: reviewed like any other, never a failed rule."""

import json

import pytest

from reviewer.classify import FileKind, classify
from reviewer.config import Config
from reviewer.engine import audit_tree
from reviewer.project import Project
from reviewer.sources.k8s_index import index_of
from reviewer.sources.k8s_objects import manifest_docs
from reviewer.workspace.files import DictSource

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  template:
    metadata:
      labels: {app: api}
    spec:
      containers:
        - name: api
          image: ghcr.io/acme/api:latest
          ports: PORTS
          readinessProbe:
            httpGet: {path: /ready, port: http}
"""

WRONG_SHAPES = {
    "kustomize replicas": ("k8s/kustomization.yaml", "apiVersion: kustomize.config.k8s.io/v1beta1\n"
                                                     "kind: Kustomization\nreplicas: 3\nimages: x\n"),
    "service ports": ("k8s/svc.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: api}\n"
                                      "spec:\n  selector: {app: api}\n  ports: 80\n"),
    "limit range": ("k8s/limits.yaml", "apiVersion: v1\nkind: LimitRange\nmetadata: {name: l}\nspec:\n  limits: 3\n"),
    "skaffold": ("k8s/skaffold.yaml", "apiVersion: skaffold/v4beta6\nkind: Config\nbuild: {artifacts: 3}\n"),
}


@pytest.mark.parametrize("name", WRONG_SHAPES)
def test_a_scalar_where_a_list_belongs_is_treated_as_absent(name):
    path, text = WRONG_SHAPES[name]
    files = {path: text, "k8s/api.yaml": DEPLOYMENT.replace("PORTS", "8000")}
    report, _ = audit_tree(DictSource(files), Config())
    assert not [n for n in report.notes if "failed" in n], report.notes
    assert any(f.rule_id == "k8s-image-mutable-tag" for f in report.findings)


def test_container_ports_as_a_scalar_do_not_break_probe_rules():
    report, _ = audit_tree(DictSource({"k8s/api.yaml": DEPLOYMENT.replace("PORTS", "8000")}), Config())
    assert not [n for n in report.notes if "failed" in n], report.notes


LIST = """\
apiVersion: v1
kind: List
metadata: {}
items:
  - apiVersion: v1
    kind: Service
    metadata: {name: api}
    spec:
      selector: {app: api}
      ports: [{port: 80, targetPort: 8000}]
  - apiVersion: apps/v1
    kind: Deployment
    metadata: {name: api}
    spec:
      template:
        metadata: {labels: {app: api}}
        spec:
          containers:
            - name: api
              image: ghcr.io/acme/api:latest
  - just a string
"""


def test_items_of_a_list_document_are_objects_of_their_own():
    project = Project.load(DictSource({"k8s/all.yaml": LIST}))
    found = [(doc.start_line, doc.end_line, kind) for doc, _, kind in manifest_docs(project.files["k8s/all.yaml"])]
    assert found == [(5, 11, "Service"), (11, 21, "Deployment")]
    idx = index_of(project)
    assert [w.name for w in idx.workloads] == ["api"] and [s.name for s in idx.services] == ["api"]
    report, _ = audit_tree(DictSource({"k8s/all.yaml": LIST}), Config())
    assert ("k8s-image-mutable-tag", 20) in {(f.rule_id, f.line) for f in report.findings}


def _json_manifest() -> str:
    deployment = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "api"},
                  "spec": {"template": {"metadata": {"labels": {"app": "api"}},
                                        "spec": {"containers": [{"name": "api", "image": "acme/api:latest"}]}}}}
    return json.dumps({"apiVersion": "v1", "kind": "List", "items": [deployment]}, indent=2)


def test_json_manifests_are_kubernetes_files():
    assert classify("deploy/api.json", _json_manifest()) is FileKind.K8S
    assert classify("deploy/api.json", '{"apiVersion": {"type": "string"}, "kind": {"type": "string"}}') \
        is FileKind.OTHER  # a JSON schema of a manifest is not one
    assert classify("package.json", '{"name": "x", "version": "1.0.0"}') is FileKind.OTHER
    report, _ = audit_tree(DictSource({"deploy/api.json": _json_manifest()}), Config())
    hit = next(f for f in report.findings if f.rule_id == "k8s-image-mutable-tag")
    assert hit.path == "deploy/api.json" and '"image": "acme/api:latest"' in hit.anchor_text
