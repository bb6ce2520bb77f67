"""The typed compose view: values with their lines, ports and volumes, builds joined to Dockerfiles."""

from __future__ import annotations

import textwrap

import pytest

from reviewer.config import Config
from reviewer.engine import review
from reviewer.project import Project
from reviewer.rules.registry import REGISTRY, RuleContext
from reviewer.sources.compose import ComposeIndex, Item, parse_compose, parse_port, volume_source
from reviewer.sources.yaml_docs import parse_yaml
from reviewer.workspace.files import DictSource

COMPOSE = textwrap.dedent("""\
    x-env: &env
      LOG_LEVEL: info
    services:
      api:
        build:
          context: ./services/api
          dockerfile: docker/Dockerfile.prod
          target: runtime
        depends_on:
          - db
        environment:
          <<: *env
          DB_PASSWORD: ${DB_PASSWORD}
          PLAIN:
        healthcheck:
          test: ["CMD", "curl", "-f", "http://localhost:8000/healthz"]
      worker:
        image: ghcr.io/acme/worker:1.0
        depends_on:
          db:
            condition: service_healthy
          api:
            restart: true
        environment:
          - BROKER_URL=amqp://broker//
          - PASSTHROUGH
        healthcheck:
          disable: true
        privileged: true
        network_mode: host
      db:
        image: postgres:16.3
        ports:
          - "5432:5432"
        volumes:
          - pgdata:/var/lib/postgresql/data
    """)


def _compose(text: str, path: str = "docker-compose.yml"):
    docs, err = parse_yaml(text, path)
    return parse_compose(path, docs), err


def test_services_keep_the_line_of_each_value():
    cf, err = _compose(COMPOSE)
    assert err is None
    api, worker, db = cf.services["api"], cf.services["worker"], cf.services["db"]
    assert (api.line, worker.line, db.line) == (4, 17, 31)
    assert [(d.name, d.line, d.condition, d.long_form) for d in api.depends_on] == [("db", 10, None, False)]
    assert [(d.name, d.line, d.effective_condition) for d in worker.depends_on] == [
        ("db", 20, "service_healthy"), ("api", 22, "service_started")]
    assert [(e.name, e.value, e.line) for e in api.environment] == [
        ("DB_PASSWORD", "${DB_PASSWORD}", 13), ("PLAIN", None, 14), ("LOG_LEVEL", "info", 2)]
    assert [(e.name, e.value, e.line) for e in worker.environment] == [
        ("BROKER_URL", "amqp://broker//", 25), ("PASSTHROUGH", None, 26)]
    assert (api.healthcheck.line, api.healthcheck.command, api.healthcheck.disabled) == (
        16, "curl -f http://localhost:8000/healthz", False)
    assert worker.healthcheck.disabled
    assert (worker.privileged, worker.key_line("privileged"), worker.network_mode) == (True, 29, "host")
    assert api.build.context == "./services/api" and api.build.target == "runtime"
    assert db.image == "postgres:16.3" and db.ports[0].line == 34


@pytest.mark.parametrize("text", [
    "not: [valid",
    "services: [api, db]",
    "services:\n  api:\n  db: 3\n",
    "- just\n- a list\n",
    "",
])
def test_odd_compose_files_give_no_services(text):
    cf, _ = _compose(text)
    assert cf.services == {}


@pytest.mark.parametrize("value, host_ip, published, target, loopback", [
    ("5432:5432", None, "5432", "5432", False),
    (5432, None, None, "5432", False),
    ("6379", None, None, "6379", False),
    ("127.0.0.1:5432:5432", "127.0.0.1", "5432", "5432", True),
    ("127.0.0.1::5432", "127.0.0.1", None, "5432", True),
    ("[::1]:6379:6379/tcp", "::1", "6379", "6379", True),
    ("0.0.0.0:5672:5672", "0.0.0.0", "5672", "5672", False),
    ("${BIND:-127.0.0.1}:5432:5432", "127.0.0.1", "5432", "5432", True),
    ({"target": 15672, "published": 15672}, None, "15672", "15672", False),
    ({"target": 15672, "host_ip": "127.0.0.1"}, "127.0.0.1", None, "15672", True),
])
def test_port_forms(value, host_ip, published, target, loopback):
    port = parse_port(Item(value, 7))
    assert (port.host_ip, port.published, port.target, port.loopback_only, port.line) == (
        host_ip, published, target, loopback, 7)


def test_port_bound_to_an_unset_variable_is_unknown():
    assert parse_port(Item("${BIND}:5432:5432", 1)).unknown_ip


@pytest.mark.parametrize("value, source", [
    ("/var/run/docker.sock:/var/run/docker.sock:ro", "/var/run/docker.sock"),
    ("pgdata:/var/lib/postgresql/data", "pgdata"),
    ("/data", None),
    ("${SOCK:-/var/run/docker.sock}:/var/run/docker.sock", "${SOCK:-/var/run/docker.sock}"),
    ({"type": "bind", "source": "/run/docker.sock", "target": "/var/run/docker.sock"}, "/run/docker.sock"),
    ("C:\\data:/data", "C:\\data"),
])
def test_volume_sources(value, source):
    assert volume_source(Item(value, 1)) == source


def _project(files: dict[str, str]) -> Project:
    return Project.load(DictSource(files))


def test_index_resolves_builds_relative_to_the_compose_file():
    project = _project({
        "deploy/docker-compose.yml": COMPOSE,
        "deploy/services/api/docker/Dockerfile.prod": "FROM python:3.12-slim\n",
        "deploy/docker-compose.override.yml": "services:\n  other:\n    build: ../outside\n    image: x:1\n",
    })
    index = ComposeIndex.build(project)
    [(cf, svc, ref)] = index.users_of("deploy/services/api/docker/Dockerfile.prod")
    assert (cf.path, svc.name, ref.target) == ("deploy/docker-compose.yml", "api", "runtime")
    other = index.files["deploy/docker-compose.override.yml"]
    assert index.dockerfile_of(other, other.services["other"]).path == "outside/Dockerfile"


def test_definitions_span_override_files_and_extends():
    project = _project({
        "docker-compose.yml": "services:\n  base:\n    restart: always\n  api:\n    extends: base\n    image: a:1\n",
        "docker-compose.override.yml": "services:\n  api:\n    mem_limit: 256m\n",
        "other/docker-compose.yml": "services:\n  api:\n    image: b:1\n",
    })
    index = ComposeIndex.build(project)
    defs = index.definitions(index.files["docker-compose.yml"], "api")
    assert [(cf.path, svc.name) for cf, svc in defs] == [
        ("docker-compose.yml", "api"), ("docker-compose.yml", "base"), ("docker-compose.override.yml", "api")]


def test_rules_never_fail_on_broken_inputs():
    import reviewer.rules.compose
    import reviewer.rules.dockerfile  # noqa: F401

    mine = [r for r in REGISTRY.values() if r.module in ("compose", "dockerfile")]
    project = _project({
        "docker-compose.yml": "services:\n  api: [\n",
        "compose.yaml": "services: nope\n",
        "a/docker-compose.yml": "services:\n  api:\n    build: {context: 3}\n    depends_on: 7\n    ports: [{}]\n"
                                "    environment: [1, '=x']\n    healthcheck: {test: 5}\n    volumes: [{}, 3]\n",
        "a/Dockerfile": "",
        "b/Dockerfile": "# only a comment\n",
        "c/Dockerfile": "FROM\nCMD\nENTRYPOINT []\nUSER\nENV\nARG =\nHEALTHCHECK\n",
    })
    report = review(RuleContext(project=project), Config(), rules=mine)
    assert not [n for n in report.notes if "failed" in n]
