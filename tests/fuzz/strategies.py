"""Generators of hostile and broken input: text that is almost a diff, a manifest, a Dockerfile,
a Helm template or a config file, with the wrong shapes, aliases and nesting real files have."""

from __future__ import annotations

import json

import yaml
from hypothesis import strategies as st

WORDS = ["api", "db", "orders", "x", "", " ", "-", "0", "8000", "true", "null", "~", "on", "22:22", "{{ .Values.x }}",
         "${PORT:-8000}", "latest", "python:3.12-slim", "postgres", "*", "&", "!!str", "'", '"', "\\", "\t", "é",
         "/healthz", "service_healthy", "List", "Deployment", "CMD", "<<"]
text_word = st.one_of(st.sampled_from(WORDS), st.text(max_size=12))

K8S_KEYS = ["apiVersion", "kind", "metadata", "name", "namespace", "labels", "annotations", "spec", "template",
            "containers", "initContainers", "image", "ports", "containerPort", "livenessProbe", "readinessProbe",
            "startupProbe", "httpGet", "path", "port", "tcpSocket", "exec", "command", "args", "resources", "limits",
            "requests", "memory", "cpu", "replicas", "selector", "matchLabels", "matchExpressions", "key", "operator",
            "values", "scaleTargetRef", "env", "envFrom", "value", "valueFrom", "configMapRef", "secretKeyRef",
            "securityContext", "runAsNonRoot", "runAsUser", "privileged", "strategy", "type", "items", "data",
            "jobTemplate", "restartPolicy", "terminationGracePeriodSeconds", "targetPort", "hostNetwork", "images",
            "build", "artifacts", "default", "defaultRequest", "periodSeconds", "volumes", "volumeMounts",
            "arch-review.io/ignore", "helm.sh/hook", "prefix", "count"]
KINDS = ["Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "Pod", "Service", "HorizontalPodAutoscaler",
         "ScaledObject", "PodDisruptionBudget", "LimitRange", "Kustomization", "Config", "ConfigMap", "List",
         "Rollout", "Ingress", "DeploymentList"]
COMPOSE_KEYS = ["image", "build", "context", "dockerfile", "target", "dockerfile_inline", "depends_on", "condition",
                "healthcheck", "test", "disable", "environment", "ports", "volumes", "restart", "deploy", "resources",
                "limits", "memory", "restart_policy", "mem_limit", "network_mode", "privileged", "command", "extends",
                "service", "file", "profiles", "host_ip", "published", "source", "hostname", "networks"]

scalar = st.one_of(st.none(), st.booleans(), st.integers(-(2**70), 2**70), text_word,
                   st.floats(allow_nan=True, allow_infinity=True))


def nested(keys: list[str], max_leaves: int = 25) -> st.SearchStrategy:
    """Mappings and lists of any shape over ``keys``: a scalar may stand where a list belongs."""
    return st.recursive(scalar, lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.one_of(st.sampled_from(keys), text_word), inner, max_size=5)),
        max_leaves=max_leaves)


@st.composite
def manifest(draw: st.DrawFn) -> dict:
    body = draw(st.dictionaries(st.sampled_from(K8S_KEYS), nested(K8S_KEYS), max_size=6))
    body["kind"] = draw(st.one_of(st.sampled_from(KINDS), scalar))
    if draw(st.booleans()):
        body["apiVersion"] = draw(st.sampled_from(["v1", "apps/v1", "skaffold/v4", "policy/v1", "autoscaling/v2"]))
    if body["kind"] in ("List", "DeploymentList") and draw(st.booleans()):
        body["items"] = draw(st.lists(st.deferred(manifest), max_size=3))
    return body


def dump(data: object) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


@st.composite
def manifest_file(draw: st.DrawFn) -> str:
    docs = draw(st.lists(manifest(), min_size=1, max_size=4))
    if draw(st.integers(0, 4)) == 0:
        return json.dumps(docs[0], default=str)
    return "---\n".join(dump(d) for d in docs)


@st.composite
def compose_file(draw: st.DrawFn) -> str:
    services = draw(st.dictionaries(st.sampled_from(["api", "db", "worker", "migrate", "cache"]),
                                    st.one_of(scalar, st.dictionaries(st.sampled_from(COMPOSE_KEYS),
                                                                      nested([*COMPOSE_KEYS, "api", "db"]),
                                                                      max_size=6)),
                                    max_size=4))
    return dump({"services": services})


DOCKER_KEYWORDS = ["FROM", "RUN", "CMD", "ENTRYPOINT", "USER", "ENV", "ARG", "COPY", "ADD", "HEALTHCHECK", "SHELL",
                   "WORKDIR", "EXPOSE", "from", "LABEL", "ONBUILD"]
DOCKER_ARGS = ["python:3.12-slim", "base AS build", "build AS final", "final", "scratch", "${BASE:-python}:3",
               '["uvicorn", "app:app"]', '["sh", "-c", "uvicorn app:app"]', "uvicorn app:app --reload", "root", "0",
               "10001", "SECRET_KEY=abc123", "A=1 B=\"x y\"", "--from=build /a /b", "CMD curl -f http://x/ || exit 1",
               "NONE", '["/bin/bash", "-c"]', "<<EOF", "EOF", "\\", "--mount=type=secret,id=x pip install .", "[", "AS"]


@st.composite
def dockerfile(draw: st.DrawFn) -> str:
    lines = draw(st.lists(st.one_of(
        st.builds(lambda k, a: f"{k} {a}", st.sampled_from(DOCKER_KEYWORDS), st.one_of(st.sampled_from(DOCKER_ARGS),
                                                                                    text_word)),
        st.sampled_from(["", "# escape=`", "# comment", "  \\", "EOF", "FROM s0 AS s1", "FROM s1 AS s0"]),
        text_word), max_size=25))
    return "\n".join(lines) + draw(st.sampled_from(["", "\n", "\\"]))


HELM_LINES = ["{{- if .Values.enabled }}", "{{ end }}", "{{- end }}", "{{ else }}", "{{- range .Values.items }}",
              '{{- include "chart.labels" . | nindent 4 }}', "{{ toYaml .Values.resources | indent 10 }}",
              '{{- define "x" }}', "{{/* comment */}}", "{{- $x := 1 }}", "image: {{ .Values.image }}",
              "  - {{ . }}", "name: {{ .Release.Name }}-api", "{{ .Values.x }}: value", "key: '{{ x }}'",
              "{{", "}}", "{{ with .Values.y }}", "  {{- toYaml . | nindent 8 }}", "kind: Deployment",
              "apiVersion: apps/v1", "metadata:", "  name: x", "spec:", "  replicas: {{ .Values.replicas }}",
              "# {{ x }}"]


@st.composite
def helm_template(draw: st.DrawFn) -> str:
    return "\n".join(draw(st.lists(st.one_of(st.sampled_from(HELM_LINES), text_word,
                                             st.builds(lambda n, s: " " * n + s, st.integers(0, 8),
                                                       st.sampled_from(HELM_LINES))), max_size=30)))


YAML_TOKENS = ["- ", ": ", "\n", "  ", "[", "]", "{", "}", ", ", "&a ", "*a", "&b ", "*b", "<<: ", "!!str ", "|\n",
               ">\n", "---\n", "...\n", "? ", "'", '"', "#", "\t", "%YAML 1.2\n", "!tag ", "key", "value", "1", "on",
               ".nan", ".inf", "0o17", "0x1F", "22:22", "~", "@", "`"]


@st.composite
def yaml_soup(draw: st.DrawFn) -> str:
    """Text built from YAML's own punctuation, anchors and aliases: mostly broken, sometimes valid."""
    return "".join(draw(st.lists(st.one_of(st.sampled_from(YAML_TOKENS), text_word), max_size=60)))


@st.composite
def alias_tower(draw: st.DrawFn) -> str:
    """Anchors whose lists repeat the anchor before (billion laughs of random size and shape)."""
    levels, width = draw(st.integers(1, 12)), draw(st.integers(1, 12))
    flow = draw(st.booleans())
    lines = ["a0: &a0 [x]" if flow else "a0: &a0 {k: v}"]
    for i in range(1, levels):
        refs = ", ".join([f"*a{i - 1}"] * width)
        lines.append(f"a{i}: &a{i} [{refs}]")
    return "\n".join(lines) + f"\nuse: *a{levels - 1}\n"


yaml_text = st.one_of(st.text(max_size=200), yaml_soup(), alias_tower(), manifest_file(), compose_file(),
                      nested(K8S_KEYS).map(dump))

CONFIG_KEYS = ["rules", "paths", "include", "exclude", "services", "roots", "comments", "max-inline", "fail-on",
               "model", "enabled", "name", "provider", "region", "project-id", "max-requests", "max-input-tokens",
               "max-output-tokens", "request-token-budget", "concurrency", "min-confidence", "severity",
               "k8s-single-replica", "http-call-without-timeout", "llm-security", "on", "off", "error", "info"]
config_text = st.one_of(st.text(max_size=200), yaml_soup(), alias_tower(), nested(CONFIG_KEYS).map(dump),
                        st.dictionaries(st.sampled_from(CONFIG_KEYS), nested(CONFIG_KEYS), max_size=6).map(dump))

DIFF_LINES = ["diff --git a/x.py b/x.py", "--- a/x.py", "+++ b/x.py", "--- /dev/null", "+++ /dev/null",
              "@@ -1,3 +1,4 @@", "@@ -0,0 +1 @@", "@@ -1 +0,0 @@", "@@ -10,2 +10,2 @@ def f():", "@@ -1,1 +1,1",
              "+added", "-removed", " context", "\\ No newline at end of file", "new file mode 100644",
              "deleted file mode 100644", "rename from a.py", "rename to b.py", "similarity index 90%",
              "Binary files /dev/null and b/logo.png differ", "index 1111111..2222222 100644", "+", "-", " ", ""]


@st.composite
def diff_text(draw: st.DrawFn) -> str:
    header = st.builds(lambda a, b, c, d: f"@@ -{a},{b} +{c},{d} @@", *[st.integers(-2, 5)] * 4)
    lines = draw(st.lists(st.one_of(st.sampled_from(DIFF_LINES), text_word, header), max_size=40))
    return "\n".join(lines) + draw(st.sampled_from(["", "\n"]))


github_entry = st.fixed_dictionaries(
    {"filename": st.one_of(st.sampled_from(["app.py", "k8s/x.yaml", "Dockerfile", "a/b c.py"]), text_word)},
    optional={"status": st.one_of(st.sampled_from(["added", "removed", "modified", "renamed", "copied", "changed",
                                                   "unchanged"]), text_word),
              "patch": st.one_of(st.none(), diff_text(), st.text(max_size=80)),
              "additions": st.one_of(st.integers(-5, 10**6), st.none(), text_word),
              "deletions": st.one_of(st.integers(-5, 10**6), st.none(), text_word),
              "previous_filename": st.one_of(st.none(), text_word)})

PY_SNIPPETS = ['from fastapi import FastAPI, Depends\nimport requests, httpx\napp = FastAPI()\n',
               '@app.get("/x/{i}")\nasync def h(i: int):\n    return requests.get(f"http://{i}").json()\n',
               '@app.post("/y", response_model=None)\ndef p(d=Depends(dep)):\n'
               '    return httpx.get(URL, timeout=None)\n',
               'async def dep():\n    yield 1\n', 'def dep():\n    try:\n        pass\n    except:\n        pass\n',
               'router = APIRouter(prefix="/v1")\napp.include_router(router)\n', 'x = ' + '-' * 50 + '1\n',
               'class M(BaseModel):\n    a: int\n    b: str | None = None\n', 'import os\nDB = os.environ["DB"]\n',
               'from .clients import fetch\n', '@router.get("/healthz")\nasync def health():\n    await fetch()\n',
               'engine = create_engine("postgresql://u:p@db/x")\n', 'while True:\n    time.sleep(1)\n']


@st.composite
def python_file(draw: st.DrawFn) -> str:
    return "".join(draw(st.lists(st.sampled_from(PY_SNIPPETS), max_size=6)))


@st.composite
def repository(draw: st.DrawFn) -> dict[str, str]:
    """A small tree of the relevant kinds, each file possibly broken."""
    files: dict[str, str] = {}
    for i, text in enumerate(draw(st.lists(manifest_file(), max_size=3))):
        files[f"k8s/m{i}.json" if text.startswith(("{", "[")) else f"k8s/m{i}.yaml"] = text
    if draw(st.booleans()):
        files["docker-compose.yml"] = draw(compose_file())
    if draw(st.booleans()):
        files["api/Dockerfile"] = draw(dockerfile())
    if draw(st.booleans()):
        files["chart/templates/deploy.yaml"] = draw(helm_template())
    for i, text in enumerate(draw(st.lists(python_file(), max_size=2))):
        files[f"api/app{i}.py"] = text
    return files
