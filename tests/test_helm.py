"""Helm templates: sanitised into YAML line for line, templated values unknown, one note per file."""

from reviewer.classify import FileKind
from reviewer.config import Config
from reviewer.engine import review
from reviewer.project import Project
from reviewer.rules.registry import RuleContext
from reviewer.sources.helm import is_templated, sanitize_template
from reviewer.sources.yaml_docs import get_path, line_of, parse_yaml
from reviewer.workspace.files import DictSource

CHART_DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "api.fullname" . }}
  labels:
    {{- include "api.labels" . | nindent 4 }}
spec:
  {{- if not .Values.autoscaling.enabled }}
  replicas: {{ .Values.replicaCount }}
  {{- end }}
  selector:
    matchLabels:
      {{- include "api.selectorLabels" . | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "api.selectorLabels" . | nindent 8 }}
    spec:
      containers:
        - name: {{ .Chart.Name }}
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}"
          ports:
            - name: http
              containerPort: {{ .Values.service.port }}  # from values.yaml
          resources:
            {{- toYaml .Values.resources | nindent 12 }}
        - name: statsd
          image: prom/statsd-exporter:latest
"""


def test_directive_lines_become_blank_and_every_line_keeps_its_number():
    tpl = sanitize_template(CHART_DEPLOYMENT)
    out = tpl.text.split("\n")
    assert len(out) == len(CHART_DEPLOYMENT.split("\n"))
    assert out[5] == "" and out[7] == "" and out[9] == ""  # include, if, end
    assert tpl.skipped == 6
    docs, err = parse_yaml(tpl.text)
    assert err is None
    deploy = docs[0].data
    assert line_of(deploy, "spec", "template", "spec", "containers", 1, "image") == 28


def test_templated_values_become_quoted_placeholders_and_keep_comments():
    tpl = sanitize_template(CHART_DEPLOYMENT)
    assert tpl.text.split("\n")[23] == "              containerPort: '{{ .Values.service.port }}'  # from values.yaml"
    deploy = parse_yaml(tpl.text)[0][0].data
    container = get_path(deploy, "spec", "template", "spec", "containers", 0)
    assert is_templated(container["image"]) and is_templated(container["name"])
    assert is_templated(get_path(deploy, "spec", "replicas"))
    assert not is_templated("prom/statsd-exporter:latest")


def test_printed_blocks_are_remembered_at_the_column_their_output_lands():
    tpl = sanitize_template(CHART_DEPLOYMENT)
    assert (26, 12) in tpl.injections  # toYaml .Values.resources | nindent 12
    assert (6, 4) in tpl.injections
    assert tpl.may_add_keys(25, 27, 12) and not tpl.may_add_keys(25, 27, 10)
    assert 9 in tpl.conditional and 11 not in tpl.conditional


def test_only_the_first_branch_of_an_if_else_is_read():
    text = ("spec:\n"
            "{{- if .Values.legacy }}\n"
            "  strategy: {type: Recreate}\n"
            "{{- else }}\n"
            "  strategy: {type: RollingUpdate}\n"
            "{{- end }}\n"
            "  replicas: 2\n")
    tpl = sanitize_template(text)
    data = parse_yaml(tpl.text)[0][0].data
    assert data["spec"] == {"strategy": {"type": "Recreate"}, "replicas": 2}
    assert (5, 2) in tpl.injections  # the else branch is output we did not read


def test_multi_line_comments_and_defines_are_skipped():
    text = ('{{/*\nExpand the name of the chart.\n*/}}\n'
            '{{- define "api.name" -}}\n{{ .Chart.Name | trunc 63 }}\n{{- end }}\n'
            'kind: ConfigMap\napiVersion: v1\n')
    tpl = sanitize_template(text)
    assert tpl.text.split("\n")[:6] == [""] * 6
    assert parse_yaml(tpl.text)[0][0].data == {"kind": "ConfigMap", "apiVersion": "v1"}


def _review(files: dict[str, str]):
    project = Project.load(DictSource(files))
    return review(RuleContext(project=project), Config()), project


def test_a_chart_template_is_reviewed_with_one_note_and_no_guesses_about_values():
    report, project = _review({"charts/api/templates/deployment.yaml": CHART_DEPLOYMENT,
                               "charts/api/Chart.yaml": "apiVersion: v2\nname: api\nversion: 0.1.0\n"})
    assert project.files["charts/api/templates/deployment.yaml"].kind is FileKind.HELM
    assert report.notes == ["charts/api/templates/deployment.yaml: Helm template, 6 templated lines skipped"]
    images = [(f.line, f.title) for f in report.findings if f.rule_id == "k8s-image-mutable-tag"]
    assert images == [(28, "Container image has no tag or uses `:latest`: `prom/statsd-exporter:latest` uses "
                           "`:latest`")]
    rules_on_api_container = {f.rule_id for f in report.findings if f.line == 20}
    # resources come from toYaml and replicas from values: neither is flagged
    assert "k8s-missing-memory-limit" not in rules_on_api_container
    assert not [f for f in report.findings if f.rule_id == "k8s-single-replica"]
    # the statsd container has no resources at all: that is visible and flagged
    assert {(f.rule_id, f.line) for f in report.findings if f.rule_id == "k8s-missing-memory-limit"} == {
        ("k8s-missing-memory-limit", 27)}


def test_a_template_that_still_does_not_parse_becomes_a_note_not_a_crash():
    broken = "apiVersion: v1\nkind: ConfigMap\ndata:\n  a: [1, 2\n{{ .Values.x }}: y\n"
    report, _ = _review({"charts/x/templates/cm.yaml": broken})
    assert any("invalid YAML" in n for n in report.notes)
    assert not any("failed" in n for n in report.notes)


def test_the_ignore_annotation_works_in_templates():
    text = CHART_DEPLOYMENT.replace(
        "  template:\n    metadata:\n",
        '  template:\n    metadata:\n      annotations:\n        arch-review.io/ignore: "k8s-image-mutable-tag"\n')
    report, _ = _review({"charts/api/templates/deployment.yaml": text})
    assert not [f for f in report.findings if f.rule_id == "k8s-image-mutable-tag"]
    assert report.suppressed >= 1
