"""Lookups that used to scan every stage, service or object for each one: they must answer exactly
as the scans did. (Speed is measured by `make bench`, never by a timed test.)"""

import itertools

from reviewer.config import Config
from reviewer.engine import audit_tree
from reviewer.project import Project
from reviewer.sources.compose import compose_index
from reviewer.sources.dockerfile import parse_dockerfile
from reviewer.sources.k8s_index import _autoscaled, index_of
from reviewer.sources.k8s_objects import label_selector_matches, same_namespace
from reviewer.workspace.files import DictSource

STAGES = """\
FROM python:3.12 AS base
FROM base AS Build
FROM node:20 AS assets
FROM build AS final
FROM final AS base
FROM later AS early
FROM python:3.12 AS later
"""


def test_stage_lookup_by_name_is_case_insensitive_and_takes_the_first():
    df = parse_dockerfile(STAGES)
    assert df.stage_named("BUILD") is df.stages[1]
    assert df.stage_named("base") is df.stages[0]
    assert df.stage_for("final") is df.stages[3] and df.stage_for(None) is df.stages[-1]
    assert df.stage_for("missing") is None
    assert {s.alias.lower() for s in df.stages if s.alias} == {"base", "build", "assets", "final", "early", "later"}


def test_chain_follows_only_earlier_stages():
    df = parse_dockerfile(STAGES)
    assert [s.index for s in df.chain(df.stages[3])] == [3, 1, 0]
    assert [s.index for s in df.chain(df.stages[4])] == [4, 3, 1, 0]  # `FROM final AS base` repeats a name
    assert [s.index for s in df.chain(df.stages[5])] == [5]  # `later` is defined after it: an image
    assert df.parent(df.stages[2]) is None


def test_stages_compare_by_identity():
    one, two = parse_dockerfile("FROM a AS x\n").stages[0], parse_dockerfile("FROM a AS x\n").stages[0]
    assert one == one and one != two


def test_many_chained_stages_are_reviewed():
    stages = ["FROM python:latest AS s0"] + [f"FROM s{i - 1} AS s{i}\nRUN true" for i in range(1, 500)]
    report, _ = audit_tree(DictSource({"Dockerfile": "\n".join(stages) + "\nCMD uvicorn app:app\n"}), Config())
    assert {f.rule_id for f in report.findings} >= {"docker-base-image-unpinned", "docker-shell-form-entrypoint"}
    assert [f.line for f in report.findings if f.rule_id == "docker-base-image-unpinned"] == [1]


COMPOSE = """\
services:
  migrate: {image: app:1, command: alembic upgrade head}
  seedless: {image: app:1}
  api:
    image: app:1
    depends_on:
      seedless: {condition: service_completed_successfully}
      db: {condition: service_started}
  db: {image: postgres:16}
"""


def test_runs_once_sees_completion_dependencies_of_sibling_files():
    project = Project.load(DictSource({"docker-compose.yml": COMPOSE,
                                       "docker-compose.override.yml": "services:\n  db:\n    restart: always\n"}))
    index = compose_index(project)
    cf = index.files["docker-compose.yml"]
    assert [index.runs_once(cf, s) for s in cf.services.values()] == [True, True, False, False]


def _naive_budget(idx, w):
    result = False
    for b in idx.budgets:
        if same_namespace(b.namespace, w.namespace) is False:
            continue
        match = label_selector_matches(b.selector, w.labels)
        if match is True:
            return True
        if match is None:
            result = None
    return result


NAMES = ["api", "'{{ .Values.name }}'", None]
LABELS = ["{app: api}", "{app: web, tier: x}", "'{{ .Values.labels }}'", None]
SELECTORS = ["{matchLabels: {app: api}}", "{matchLabels: {tier: x}}", "{}", "'{{ .Values.sel }}'",
             "{matchExpressions: [{key: app, operator: In, values: [api]}]}",
             "{matchLabels: {app: '{{ .Values.app }}'}}", None]


def _objects() -> str:
    docs = []
    for i, (name, labels, ns) in enumerate(itertools.product(NAMES, LABELS, ["default", "other"])):
        meta = f"{{name: {name}, namespace: {ns}}}" if name else f"{{namespace: {ns}}}"
        tpl = f"metadata: {{labels: {labels}}}" if labels else "metadata: {}"
        docs.append(f"apiVersion: apps/v1\nkind: Deployment\nmetadata: {meta}\nspec:\n  template:\n"
                    f"    {tpl}\n    spec: {{containers: [{{name: c, image: 'x:{i}'}}]}}\n")
    for target, kind in itertools.product(NAMES, ["Deployment", "StatefulSet", None]):
        ref = ", ".join(p for p in (f"name: {target}" if target else "", f"kind: {kind}" if kind else "") if p)
        docs.append(f"apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {{name: h}}\n"
                    f"spec: {{scaleTargetRef: {{{ref}}}}}\n")
    for selector, ns in itertools.product(SELECTORS, ["default", "other"]):
        spec = f"spec: {{selector: {selector}}}" if selector else "spec: {}"
        docs.append(f"apiVersion: policy/v1\nkind: PodDisruptionBudget\n"
                    f"metadata: {{name: p, namespace: {ns}}}\n{spec}\n")
    return "---\n".join(docs)


def test_indexed_autoscaler_and_budget_answers_equal_the_full_scans():
    files = {"k8s/a.yaml": _objects(), "k8s/b.yaml": _objects().replace("namespace: other", "namespace: x")}
    idx = index_of(Project.load(DictSource(files)))
    assert len(idx.workloads) == 48 and len(idx.autoscalers) == 18 and len(idx.budgets) == 28
    answers = [(idx.autoscaled(w), idx.has_budget(w)) for w in idx.workloads]
    assert answers == [(_autoscaled(idx.autoscalers, w), _naive_budget(idx, w)) for w in idx.workloads]
    assert {a for a, _ in answers} == {True, None, False} and {b for _, b in answers} == {True, None}


def test_workloads_by_kind_and_name():
    idx = index_of(Project.load(DictSource({"k8s/a.yaml": _objects()})))
    assert len(idx.named("Deployment", "api")) == 8 and idx.named("StatefulSet", "api") == []


def test_helm_injection_lookup_equals_the_scan():
    from reviewer.sources.helm import sanitize_template

    tpl = sanitize_template("a:\n  {{- include \"x\" . | nindent 2 }}\nb:\n{{ toYaml .Values.b }}\n  c: 1\n"
                            "  {{- if .x }}\n  d: {{ .y }}\n  {{- end }}\n    {{- include \"z\" . | nindent 4 }}\n")
    assert tpl.injections
    for first, last, column in itertools.product(range(0, 11), range(0, 11), range(0, 6)):
        scan = any(first <= line <= last and col == column for line, col in tpl.injections)
        assert tpl.may_add_keys(first, last, column) is scan, (first, last, column)
