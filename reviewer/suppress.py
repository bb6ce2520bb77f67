"""Inline suppressions: our own pragma, the Kubernetes annotation, and the peers' pragmas.

``# arch-review: ignore[rule-a, rule-b] reason`` on the offending line or the line above, in
Python, YAML and Dockerfiles. Kubernetes objects may carry ``arch-review.io/ignore: "rule-a"``,
which survives Helm/kustomize rendering where comments do not. Peers' pragmas count where a rule
declares the equivalent id: ``# noqa: S113``, ``# nosemgrep``, ``# hadolint ignore=DL3025``,
``# checkov:skip=CKV_K8S_9``, the ``checkov.io/skipN``, kube-linter, kube-score and Polaris
(``polaris.fairwinds.com/<check>-exempt: "true"``) annotations.
"""

from __future__ import annotations

import re

from reviewer.classify import FileKind
from reviewer.project import SourceFile

_OURS = re.compile(r"arch-review:\s*ignore\[([^\]]*)\]")
_NOQA = re.compile(r"#\s*noqa(?::\s*([\w, ]+))?", re.I)
_NOSEMGREP = re.compile(r"nosemgrep(?::\s*([\w.,\- ]+))?")
_HADOLINT = re.compile(r"#\s*hadolint\s+ignore=([\w,]+)")
_CHECKOV = re.compile(r"checkov:skip=([\w]+)")
ANNOTATION = "arch-review.io/ignore"
_POLARIS_ID = re.compile(r"^[a-z]+[A-Z][A-Za-z]*$")  # Polaris names checks in camelCase: readinessProbeMissing


_ANNOTATION_VALUE = re.compile(r"arch-review\.io/ignore[\"']?\s*:\s*[\"']?([^\"'\n#]*)")


def unknown_ids(f: SourceFile, known: set[str]) -> list[tuple[int, str]]:
    """(line, id) for every id a pragma or annotation in ``f`` names that is no rule: a typo there
    would otherwise suppress nothing, in silence."""
    if "arch-review" not in f.text:
        return []
    out = []
    for number, line in enumerate(f.lines, 1):
        for rx in (_OURS, _ANNOTATION_VALUE):
            m = rx.search(line)
            if m:
                out += [(number, i) for i in sorted(_ids(m.group(1))) if i != "*" and i not in known]
    return out


def _ids(text: str) -> set[str]:
    return {part.strip() for part in text.split(",") if part.strip()}


def _line_suppresses(text: str, rule_id: str, equivalents: tuple[str, ...], same_line: bool) -> bool:
    m = _OURS.search(text)
    if m and (rule_id in _ids(m.group(1)) or "*" in _ids(m.group(1))):
        return True
    if not equivalents:
        return False
    eq = set(equivalents)
    if same_line:
        m = _NOQA.search(text)
        if m and (m.group(1) is None or eq & _ids(m.group(1))):
            return True
        m = _NOSEMGREP.search(text)
        if m and (m.group(1) is None or eq & _ids(m.group(1)) or
                  any(i.rsplit(".", 1)[-1] in eq for i in _ids(m.group(1) or ""))):
            return True
    m = _HADOLINT.search(text)
    if m and not same_line and eq & _ids(m.group(1)):
        return True
    m = _CHECKOV.search(text)
    return bool(m and m.group(1) in eq)


def is_suppressed(rule_id: str, equivalents: tuple[str, ...], f: SourceFile | None, line: int) -> bool:
    """Whether a pragma on the line (or the line above), a file-wide checkov skip in a Dockerfile,
    or an annotation on the Kubernetes object switches ``rule_id`` (or a peer's id) off there."""
    if f is None:
        return False
    if _line_suppresses(f.line_text(line), rule_id, equivalents, same_line=True):
        return True
    if line > 1 and _line_suppresses(f.line_text(line - 1), rule_id, equivalents, same_line=False):
        return True
    # checkov documents its Dockerfile skip as file-wide ("line number doesn't matter")
    if f.kind is FileKind.DOCKERFILE and equivalents and any(
            (m := _CHECKOV.search(t)) and m.group(1) in equivalents for t in f.lines):
        return True
    if f.kind in (FileKind.K8S, FileKind.HELM):
        doc = f.doc_at(line)
        if doc is not None and _annotation_suppresses(doc.data, rule_id, equivalents):
            return True
    return False


def _annotation_suppresses(data: object, rule_id: str, equivalents: tuple[str, ...]) -> bool:
    from reviewer.sources.yaml_docs import get_path  # only Kubernetes files get here; they loaded PyYAML already

    annotations = {}
    for where in (("metadata", "annotations"), ("spec", "template", "metadata", "annotations"),
                  ("spec", "jobTemplate", "spec", "template", "metadata", "annotations")):
        found = get_path(data, *where)
        if isinstance(found, dict):
            annotations.update(found)
    if not annotations:
        return False
    if rule_id in _ids(str(annotations.get(ANNOTATION, ""))):
        return True
    eq = set(equivalents)
    for key, value in annotations.items():
        key = str(key)
        if key.startswith("checkov.io/skip") and str(value).split("=", 1)[0].strip() in eq:
            return True
        if key.startswith("ignore-check.kube-linter.io/") and key.split("/", 1)[1] in eq:
            return True
        if key == "kube-score/ignore" and eq & _ids(str(value)):
            return True
        if key == "polaris.fairwinds.com/exempt" and str(value).lower() == "true" and any(
                _POLARIS_ID.match(e) for e in eq):  # exempt from every Polaris check we have a twin of
            return True
        if (key.startswith("polaris.fairwinds.com/") and key.endswith("-exempt")
                and key.split("/", 1)[1].removesuffix("-exempt") in eq and str(value).lower() == "true"):
            return True
    return False
