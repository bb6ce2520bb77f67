"""The rule catalog, generated from the registry: `arch-review rules`, docs/rules.md."""

from __future__ import annotations

import json

from reviewer.rules.registry import Rule, all_rules

_SEV = {"error": "E", "warning": "W", "info": "I"}
_SPEAKS = {"review, audit": "review + audit", "audit": "audit (review: when new)", "review": "review"}


def _text(rules: list[Rule]) -> str:
    lines = [f"{r.id:<40} {r.severity.value:<8} {r.category.value:<12} {r.speaks.value:<14} {r.title}"
             for r in rules]
    return "\n".join(lines) + f"\n{len(rules)} rules\n"


def _json(rules: list[Rule]) -> str:
    return json.dumps([{
        "id": r.id, "title": r.title, "category": r.category.value, "severity": r.severity.value,
        "kinds": sorted(k.value for k in r.kinds), "scope": r.scope.value, "why": r.why, "fix": r.fix,
        "equivalents": list(r.equivalents), "speaks": r.speaks.value.split(", "),
    } for r in rules], indent=2) + "\n"


def _markdown(rules: list[Rule]) -> str:
    out = ["# arch-review rules", "",
           "Generated from the rule registry by `arch-review rules --format markdown`; do not edit by hand.",
           "", f"{len(rules)} rules. Suppress one on a line with `# arch-review: ignore[<rule-id>] reason` "
           "on that line or the line above.", "",
           "Where a rule speaks: *review + audit* rules comment on a pull request when the PR introduces the",
           "finding, and are listed by `arch-review audit`; *audit* rules are repository hygiene, listed by the",
           "audit and posted on a PR only when the PR introduces them (with no base tree to compare: only in files",
           "the PR adds); *review* rules need the base (API compatibility). `rules.<id>.speaks` in the config",
           "moves a rule.", "",
           "| id | category | severity | speaks | what it flags |", "|---|---|---|---|---|"]
    out += [f"| [{r.id}](#{r.id}) | {r.category.value} | {_SEV[r.severity.value]} | {_SPEAKS[r.speaks.value]} "
            f"| {r.title} |" for r in rules]
    for r in rules:
        out += ["", f"## {r.id}", "",
                f"**{r.title}** · {r.category.value} · {r.severity.value} · speaks in {_SPEAKS[r.speaks.value]}"
                + (f" · also honours: {', '.join(f'`{e}`' for e in r.equivalents)}" if r.equivalents else ""),
                "", "### Why is this bad?", "", r.why, "", "### Use instead", "", "```", r.fix, "```"]
    return "\n".join(out) + "\n"


def render_rule(r: Rule) -> str:
    """One rule's documentation, for ``arch-review rules RULE-ID``: ruff's "What / Why / Use instead"."""
    kinds = ", ".join(sorted(k.value for k in r.kinds)) or "the service model (cross-file)"
    lines = [f"{r.id}: {r.title}", "",
             f"category: {r.category.value}    severity: {r.severity.value}    reads: {kinds}",
             f"speaks in: {_SPEAKS[r.speaks.value]}  (config: rules.{r.id}.speaks)"]
    if r.equivalents:
        lines.append(f"also honours the pragmas of: {', '.join(r.equivalents)}")
    lines += ["", "Why is this bad?", *(f"  {line}" for line in r.why.splitlines()), "",
              "Use instead:", *(f"  {line}" for line in r.fix.splitlines()), "",
              f"Suppress one finding: `# arch-review: ignore[{r.id}] <reason>` on the line or the line above."]
    return "\n".join(lines) + "\n"


def render_catalog(fmt: str = "text") -> str:
    rules = all_rules()
    return {"json": _json, "markdown": _markdown}.get(fmt, _text)(rules)
