"""SARIF output: valid against the vendored official schema, rules[] from the registry, stable fingerprints.

tests/data/sarif-2.1.0.json is oasis-tcs/sarif-spec sarif-2.1/prose/sarif-schema-2.1.0.json at
commit e0583813964ec43cea53b6b531b402866095ed1f (the draft-07 copy published as Schemata/sarif-schema-2.1.0.json).
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from reviewer.config import Config
from reviewer.engine import audit_tree
from reviewer.model import Category, Finding, Report, Severity, Source
from reviewer.render.sarif import FINGERPRINT_KEY, render_sarif
from reviewer.rules.registry import all_rules
from reviewer.workspace.files import DictSource

SCHEMA = json.loads((Path(__file__).parents[1] / "data" / "sarif-2.1.0.json").read_text())

APP = '''import requests
from fastapi import FastAPI

app = FastAPI()


@app.get("/orders/{order_id}")
def get_order(order_id: int):
    return requests.get(f"http://inventory:8000/items/{order_id}").json()
'''


def _validate(doc: dict) -> None:
    validator_cls = jsonschema.validators.validator_for(SCHEMA)
    assert validator_cls is jsonschema.Draft7Validator  # what the schema's $schema says
    validator_cls.check_schema(SCHEMA)
    errors = sorted(validator_cls(SCHEMA).iter_errors(doc), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)


def _audit(files: dict[str, str]) -> Report:
    report, _ = audit_tree(DictSource(files), Config())
    return report


def _finding(**kw) -> Finding:
    base = dict(rule_id="http-call-without-timeout", severity=Severity.ERROR, category=Category.RESILIENCE,
                path="services/orders/app.py", line=9, title="Outbound HTTP call without a timeout",
                body="why", fix="requests.get(url, timeout=5)", anchor_text="requests.get(url)")
    base.update(kw)
    return Finding(**base)


def test_rule_findings_validate_and_point_at_registry_entries():
    report = _audit({"services/orders/app.py": APP})
    assert report.findings, "http-call-without-timeout should fire on the fixture"
    doc = json.loads(render_sarif(report))
    _validate(doc)
    run = doc["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "arch-review"
    assert [r["id"] for r in driver["rules"]] == [r.id for r in all_rules()]
    result = run["results"][0]
    rule = driver["rules"][result["ruleIndex"]]
    assert rule["id"] == result["ruleId"] == "http-call-without-timeout"
    assert result["level"] == "error"  # E inside a route handler
    assert result["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "services/orders/app.py", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 9},
    }
    assert rule["helpUri"].endswith("docs/rules.md#http-call-without-timeout")
    assert rule["properties"]["tags"] == ["resilience"]
    assert "timeout=" in rule["help"]["markdown"] and rule["help"]["markdown"].count("```") == 2
    assert rule["fullDescription"]["text"].startswith("`requests`, `urllib` and `urllib3` wait forever")


def test_fingerprints_survive_a_line_shift():
    before = json.loads(render_sarif(_audit({"services/orders/app.py": APP})))["runs"][0]["results"]
    shifted = APP.replace("app = FastAPI()\n", "import logging\n\nlog = logging.getLogger(__name__)\napp = FastAPI()\n")
    after = json.loads(render_sarif(_audit({"services/orders/app.py": shifted})))["runs"][0]["results"]
    assert [r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in (before[0], after[0])] == [9, 12]
    assert before[0]["partialFingerprints"] == after[0]["partialFingerprints"]
    assert set(before[0]["partialFingerprints"]) == {FINGERPRINT_KEY}


def test_llm_and_unknown_ids_get_rules_entries_and_levels_map():
    findings = [
        _finding(),
        _finding(rule_id="llm-boundaries", severity=Severity.WARNING, category=Category.BOUNDARIES, source=Source.LLM,
                 title="Orders reads the inventory table directly", body="Couples the schemas.", fix="call the API",
                 confidence=0.8, line=3, end_line=5),
        _finding(rule_id="llm-boundaries", severity=Severity.INFO, category=Category.BOUNDARIES, source=Source.LLM,
                 title="Second model finding", line=20),
        _finding(rule_id="k8s-some-future-rule", severity=Severity.INFO, category=Category.SECURITY,
                 path="k8s/a file.yaml", line=2),
    ]
    doc = json.loads(render_sarif(Report(findings=findings, notes=["services/x.py: skipped, binary file"])))
    _validate(doc)
    run = doc["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    ids = [r["id"] for r in rules]
    assert ids.count("llm-boundaries") == 1 and "k8s-some-future-rule" in ids
    for res in run["results"]:
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"]
    assert [r["level"] for r in run["results"]] == ["error", "warning", "note", "note"]
    llm = run["results"][1]
    assert llm["message"]["text"] == ("Orders reads the inventory table directly\n\nCouples the schemas.\n\n"
                                      "Fix:\ncall the API")
    assert llm["locations"][0]["physicalLocation"]["region"] == {"startLine": 3, "endLine": 5}
    assert llm["properties"] == {"category": "boundaries", "source": "llm", "confidence": 0.8}
    assert "llm" in rules[llm["ruleIndex"]]["properties"]["tags"]
    assert run["results"][3]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "k8s/a%20file.yaml"
    assert rules[run["results"][3]["ruleIndex"]]["properties"]["security-severity"] == "2.0"
    assert run["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"].endswith("binary file")


@pytest.mark.parametrize("broken", [
    lambda d: d["runs"][0]["results"][0].update(level="fatal"),
    lambda d: d["runs"][0]["tool"]["driver"].pop("name"),
    lambda d: d["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"].update(startLine=0),
])
def test_the_schema_check_catches_a_broken_log(broken):
    doc = json.loads(render_sarif(Report(findings=[_finding()])))
    broken(doc)
    with pytest.raises(AssertionError):
        _validate(doc)
