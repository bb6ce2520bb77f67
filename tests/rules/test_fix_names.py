"""A fix speaks of the finding's own things: the real image, call, container, service and handler,
not the rule's stock example. Where a rule cannot build one, the stock fix stays, marked as an example."""

from __future__ import annotations

import textwrap

from reviewer.config import Config
from reviewer.engine import review
from reviewer.model import Finding
from reviewer.project import Project
from reviewer.rules.registry import REGISTRY, RuleContext
from reviewer.workspace.files import DictSource


def _findings(files: dict[str, str], rule: str) -> list[Finding]:
    report = review(RuleContext(project=Project.load(DictSource(files))), Config())
    return [f for f in report.findings if f.rule_id == rule]


def _one(files: dict[str, str], rule: str) -> Finding:
    (found,) = _findings(files, rule)
    assert not found.fix_is_example and found.fix != REGISTRY[rule].fix
    return found


def test_an_unpinned_base_image_is_pinned_under_its_own_name():
    dockerfile = "FROM golang:latest AS build\nRUN go build ./...\n\nFROM gcr.io/distroless/static:nonroot\n"
    fix = _one({"Dockerfile": dockerfile}, "docker-base-image-unpinned").fix
    assert fix.startswith("FROM golang:<pin a version> AS build\n") and "python" not in fix


def test_a_compose_image_is_pinned_under_its_service_and_name():
    compose = "services:\n  cache:\n    image: redis\n"
    assert _one({"docker-compose.yml": compose}, "compose-image-mutable-tag").fix == \
        "cache:\n  image: redis:<pin a version>"


def test_the_timeout_goes_on_the_real_call():
    app = "import requests\n\n\ndef rates():\n    return requests.get('https://rates.example.com/latest').json()\n"
    found = _one({"app.py": app}, "http-call-without-timeout")
    assert found.fix == "return requests.get('https://rates.example.com/latest', timeout=10).json()"


def test_a_memory_limit_names_the_container_and_keeps_its_requests():
    manifest = textwrap.dedent("""\
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: inventory}
        spec:
          selector: {matchLabels: {app: inventory}}
          template:
            metadata: {labels: {app: inventory}}
            spec:
              containers:
                - name: inventory
                  image: ghcr.io/acme/inventory:2.1.0
                  resources:
                    requests:
                      cpu: 200m
                      memory: 300Mi
        """)
    fix = _one({"k8s/inventory.yaml": manifest}, "k8s-missing-memory-limit").fix
    assert "- name: inventory" in fix and "cpu: 200m" in fix and fix.endswith("limits:\n        memory: 300Mi")
    assert "250m" not in fix  # the stock example's CPU request is not what this container asked for


def test_a_budget_selects_the_deployments_own_labels():
    manifest = textwrap.dedent("""\
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: checkout}
        spec:
          replicas: 3
          selector: {matchLabels: {app.kubernetes.io/name: checkout}}
          template:
            metadata: {labels: {app.kubernetes.io/name: checkout}}
            spec:
              containers: [{name: api, image: "ghcr.io/acme/checkout:1.0.0"}]
        """)
    fix = _one({"k8s/checkout.yaml": manifest}, "k8s-missing-pdb").fix
    assert "  name: checkout\n" in fix and fix.endswith("    matchLabels:\n      app.kubernetes.io/name: checkout")


def test_depends_on_names_the_service_and_its_dependency():
    compose = "services:\n  api:\n    build: ./api\n    depends_on: [postgres]\n  postgres:\n    image: postgres:16\n"
    fix = _one({"docker-compose.yml": compose}, "compose-depends-on-not-healthy").fix
    assert fix == "api:\n  depends_on:\n    postgres:\n      condition: service_healthy"


def test_a_response_model_is_named_after_the_handler_on_its_route():
    app = textwrap.dedent("""\
        from fastapi import APIRouter

        router = APIRouter()


        @router.get("/invoices/{invoice_id}")
        async def get_invoice(invoice_id: int):
            return {"id": invoice_id}
        """)
    fix = _one({"app.py": app}, "fastapi-missing-response-model").fix
    assert '@router.get("/invoices/{invoice_id}", response_model=InvoiceOut)' in fix
    assert "async def get_invoice(...) -> InvoiceOut" in fix


def test_a_server_we_cannot_swap_keeps_the_example():
    dockerfile = "FROM python:3.12-slim\nUSER 10001\nCMD [\"flask\", \"run\", \"--host\", \"0.0.0.0\"]\n"
    (found,) = _findings({"Dockerfile": dockerfile}, "docker-dev-server-in-image")
    assert found.fix_is_example and found.fix == REGISTRY["docker-dev-server-in-image"].fix
