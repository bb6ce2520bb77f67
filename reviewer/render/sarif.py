"""SARIF 2.1.0 for GitHub code scanning: ``rules[]`` from the registry, stable fingerprints.

GitHub reads ``partialFingerprints`` to recognise the same alert across commits; ours is
``Finding.fingerprint()`` (rule + path + normalised anchor code), so an unrelated line shift keeps it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from urllib.parse import quote

from reviewer import __version__
from reviewer.classify import FileKind
from reviewer.model import Category, Finding, Report, Severity, Source
from reviewer.render.links import DocsSite
from reviewer.rules.registry import Rule, all_rules

SCHEMA_URI = "https://raw.githubusercontent.com/oasis-tcs/sarif-spec/master/Schemata/sarif-schema-2.1.0.json"
FINGERPRINT_KEY = "archReview/v1"

_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
# GitHub ranks security alerts by the rule's `security-severity` (0.0-10.0; >= 7.0 is "high").
_SECURITY_SEVERITY = {Severity.ERROR: "8.0", Severity.WARNING: "5.0", Severity.INFO: "2.0"}
_FENCE = {FileKind.PYTHON: "python", FileKind.DOCKERFILE: "dockerfile", FileKind.COMPOSE: "yaml",
          FileKind.K8S: "yaml", FileKind.HELM: "yaml", FileKind.OPENAPI: "yaml"}


def _camel(rule_id: str) -> str:
    return "".join(part.capitalize() for part in rule_id.split("-"))


def _properties(category: Category, severity: Severity, *extra: str) -> dict[str, object]:
    props: dict[str, object] = {"tags": [category.value, *extra]}
    if category is Category.SECURITY:
        props["security-severity"] = _SECURITY_SEVERITY[severity]
    return props


def _rule_descriptor(rule: Rule, docs: DocsSite) -> dict[str, object]:
    fence = next((_FENCE[k] for k in sorted(rule.kinds) if k in _FENCE), "")
    return {
        "id": rule.id,
        "name": _camel(rule.id),
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.why},
        "help": {
            "text": f"{rule.why}\n\nFix:\n{rule.fix}",
            "markdown": f"**Why is this bad?** {rule.why}\n\n**Use instead:**\n\n```{fence}\n{rule.fix}\n```",
        },
        "helpUri": docs.rule_url(rule.id),
        "defaultConfiguration": {"level": _LEVEL[rule.severity]},
        "properties": _properties(rule.category, rule.severity),
    }


def _adhoc_descriptor(finding: Finding) -> dict[str, object]:
    """A rules[] entry for an id the registry does not know: the model's findings (llm-*)."""
    if finding.source is Source.LLM:
        short = f"Architecture review by the model ({finding.category.value})"
        full = ("Found by the Claude architecture review of the change: a judgement on the diff, "
                "not a deterministic rule. Each result carries its own explanation and fix.")
        tags: tuple[str, ...] = ("llm",)
    else:
        short = full = finding.title
        tags = ()
    return {
        "id": finding.rule_id,
        "name": _camel(finding.rule_id),
        "shortDescription": {"text": short},
        "fullDescription": {"text": full},
        "help": {"text": full, "markdown": full},
        "defaultConfiguration": {"level": _LEVEL[finding.severity]},
        "properties": _properties(finding.category, finding.severity, *tags),
    }


def _message(finding: Finding) -> str:
    if finding.source is Source.LLM:
        parts = [finding.title, finding.body]
        if finding.fix:
            parts.append(f"Fix:\n{finding.fix}")
        return "\n\n".join(p for p in parts if p)
    return finding.title


def _result(finding: Finding, index: int) -> dict[str, object]:
    region: dict[str, int] = {"startLine": finding.line}
    props: dict[str, object] = {"category": finding.category.value, "source": finding.source.value}
    if finding.confidence is not None:
        props["confidence"] = finding.confidence
    if finding.end_line and finding.end_line > finding.line:
        region["endLine"] = finding.end_line
    return {
        "ruleId": finding.rule_id,
        "ruleIndex": index,
        "level": _LEVEL[finding.severity],
        "message": {"text": _message(finding)},
        "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": quote(finding.path), "uriBaseId": "%SRCROOT%"},
            "region": region,
        }}],
        "partialFingerprints": {FINGERPRINT_KEY: finding.fingerprint()},
        "properties": props,
    }


def sarif_log(report: Report, rules: Iterable[Rule] | None = None, docs: DocsSite | None = None) -> dict[str, object]:
    """``docs``: where ``helpUri`` points (``DocsSite.from_env`` on a runner); the upstream project by default."""
    docs = docs or DocsSite()
    descriptors = [_rule_descriptor(r, docs) for r in (all_rules() if rules is None else rules)]
    index = {d["id"]: i for i, d in enumerate(descriptors)}
    results = []
    for finding in report.findings:
        if finding.rule_id not in index:
            index[finding.rule_id] = len(descriptors)
            descriptors.append(_adhoc_descriptor(finding))
        results.append(_result(finding, index[finding.rule_id]))
    invocation: dict[str, object] = {"executionSuccessful": True}
    if report.notes:
        invocation["toolExecutionNotifications"] = [{"level": "note", "message": {"text": n}} for n in report.notes]
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "arch-review",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": docs.project_url,
                "rules": descriptors,
            }},
            "invocations": [invocation],
            "results": results,
            "columnKind": "unicodeCodePoints",
        }],
    }


def render_sarif(report: Report, rules: Iterable[Rule] | None = None, docs: DocsSite | None = None) -> str:
    return json.dumps(sarif_log(report, rules, docs), indent=2) + "\n"
