"""The typed view over Kubernetes documents, and rule behaviour the case folders cannot show."""

from reviewer.config import Config
from reviewer.engine import review
from reviewer.model import Severity
from reviewer.project import Project
from reviewer.rules.registry import RuleContext
from reviewer.sources.k8s_index import index_of
from reviewer.sources.k8s_objects import label_selector_matches, selector_matches, workloads_of
from reviewer.workspace.files import DictSource

POD_SPEC = """\
      containers:
        - name: app
          image: ghcr.io/acme/app:1.0.0
"""

ALL_KINDS = f"""\
apiVersion: apps/v1
kind: Deployment
metadata: {{name: d}}
spec:
  template:
    metadata: {{labels: {{app: d}}}}
    spec:
{POD_SPEC}---
apiVersion: apps/v1
kind: StatefulSet
metadata: {{name: s, namespace: data}}
spec:
  template:
    spec:
{POD_SPEC}---
apiVersion: apps/v1
kind: DaemonSet
metadata: {{name: ds}}
spec:
  template:
    spec:
{POD_SPEC}---
apiVersion: apps/v1
kind: ReplicaSet
metadata: {{name: rs}}
spec:
  template:
    spec:
{POD_SPEC}---
apiVersion: batch/v1
kind: Job
metadata: {{name: j}}
spec:
  template:
    spec:
      restartPolicy: Never
{POD_SPEC}---
apiVersion: batch/v1
kind: CronJob
metadata: {{name: cj}}
spec:
  schedule: "@daily"
  jobTemplate:
    spec:
      template:
        spec:
          initContainers:
            - name: proxy
              image: envoyproxy/envoy:v1.30.2
              restartPolicy: Always
          containers:
            - name: app
              image: ghcr.io/acme/app:1.0.0
---
apiVersion: v1
kind: Pod
metadata: {{name: p}}
spec:
  containers:
    - name: app
      image: ghcr.io/acme/app:1.0.0
---
apiVersion: v1
kind: ConfigMap
metadata: {{name: cm}}
"""


def _project(files: dict[str, str]) -> Project:
    return Project.load(DictSource(files))


def test_every_workload_kind_yields_its_pod_spec_and_containers_with_their_lines():
    f = _project({"k8s/all.yaml": ALL_KINDS}).files["k8s/all.yaml"]
    found = {w.kind: w for w in workloads_of(f)}
    assert set(found) == {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Pod"}
    assert [c.line for c in found["Deployment"].containers] == [9]  # the `- name:` item line
    assert found["Deployment"].labels == {"app": "d"} and found["Deployment"].namespace == "default"
    assert found["StatefulSet"].namespace == "data" and found["StatefulSet"].labels == {}
    assert found["Job"].job_like and not found["Pod"].job_like
    cron = found["CronJob"]
    assert [c.name for c in cron.init_containers] == ["proxy"] and cron.init_containers[0].sidecar
    assert [c.name for c in cron.long_running_containers] == ["proxy", "app"]
    assert found["Pod"].containers[0].line == f.lines.index("    - name: app") + 1


def test_selectors_answer_true_false_or_unknown():
    assert selector_matches({"app": "a"}, {"app": "a", "tier": "api"}) is True
    assert selector_matches({"app": "a"}, {"app": "b"}) is False
    assert selector_matches({"app": "a"}, None) is None
    expr = {"matchExpressions": [{"key": "tier", "operator": "In", "values": ["api", "web"]}]}
    assert label_selector_matches(expr, {"tier": "api"}) is True
    assert label_selector_matches(expr, {"tier": "db"}) is False
    assert label_selector_matches({}, {"anything": "x"}) is True  # policy/v1: empty selects all
    assert label_selector_matches({"matchLabels": {"app": "a"}}, None) is None


def test_the_index_joins_services_autoscalers_and_budgets_by_namespace_and_labels():
    project = _project({
        "k8s/app.yaml": ALL_KINDS,
        "k8s/svc.yaml": "apiVersion: v1\nkind: Service\nmetadata: {name: d}\nspec:\n  selector: {app: d}\n"
                        "---\napiVersion: v1\nkind: Service\nmetadata: {name: d, namespace: other}\n"
                        "spec:\n  selector: {app: d}\n",
        "k8s/hpa.yaml": "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: d}\n"
                        "spec:\n  scaleTargetRef: {kind: Deployment, name: d}\n  maxReplicas: 3\n",
    })
    idx = index_of(project)
    assert idx is index_of(project)  # built once per run
    deploy = next(w for w in idx.workloads if w.kind == "Deployment")
    assert [s.namespace for s in idx.backing_services(deploy)] == ["default"]
    assert idx.autoscaled(deploy) is True
    assert idx.has_budget(deploy) is False
    daemon = next(w for w in idx.workloads if w.kind == "DaemonSet")
    assert idx.autoscaled(daemon) is False


def _findings(files: dict[str, str]):
    report = review(RuleContext(project=_project(files)), Config())
    return report


GRACE = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  annotations:
    checkov.io/skip1: CKV_K8S_9=readiness is gated by the mesh sidecar
spec:
  replicas: 2
  template:
    metadata:
      labels: {app: api}
    spec:
      terminationGracePeriodSeconds: {grace}
      containers:
        - name: api
          image: ghcr.io/acme/api:1.0.0
---
apiVersion: v1
kind: Service
metadata: {name: api}
spec:
  selector: {app: api}
"""


def test_grace_period_zero_is_an_error_and_short_ones_are_warnings():
    for grace, severity in (("0", Severity.ERROR), ("3", Severity.WARNING)):
        report = _findings({"k8s/api.yaml": GRACE.replace("{grace}", grace)})
        hits = [f for f in report.findings if f.rule_id == "k8s-termination-grace-too-short"]
        assert [(f.line, f.severity) for f in hits] == [(13, severity)]


def test_a_checkov_skip_annotation_suppresses_the_equivalent_rule():
    report = _findings({"k8s/api.yaml": GRACE.replace("{grace}", "30")})
    assert not [f for f in report.findings if f.rule_id == "k8s-missing-readiness-probe"]
    assert report.suppressed >= 1
    bare = GRACE.replace("{grace}", "30").replace("    checkov.io/skip1: CKV_K8S_9=readiness is gated by "
                                                   "the mesh sidecar\n", "    team: shop\n")
    assert [f.line for f in _findings({"k8s/api.yaml": bare}).findings
            if f.rule_id == "k8s-missing-readiness-probe"] == [15]


def test_odd_documents_never_crash_a_rule():
    files = {
        "k8s/list.yaml": "apiVersion: v1\nkind: List\nitems:\n  - kind: Deployment\n",
        "k8s/scalars.yaml": "apiVersion: v1\nkind: Deployment\nspec: 3\n---\n- a\n- b\n---\nplain\n",
        "k8s/broken.yaml": "apiVersion: apps/v1\nkind: Deployment\nspec:\n  template: [\n",
        "k8s/wrong-types.yaml": ("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: [x]}\nspec:\n"
                                 "  replicas: many\n  strategy: Recreate\n  template:\n    metadata: {labels: 3}\n"
                                 "    spec:\n      containers:\n        - just-a-string\n        - name: a\n"
                                 "          env: {A: b}\n          ports: 80\n          resources: 1Gi\n"
                                 "          securityContext: yes\n          livenessProbe: {httpGet: 8000}\n"),
    }
    report = _findings(files)
    assert not [n for n in report.notes if "failed" in n], report.notes
    assert any("broken.yaml" in n and "invalid YAML" in n for n in report.notes)
