"""Manifests of unexpected shapes (a scalar where a list belongs): reviewed, never a failed rule."""

import pytest

from reviewer.config import Config
from reviewer.engine import audit_tree
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
