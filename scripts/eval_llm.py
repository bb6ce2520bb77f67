"""`make eval-llm`: Claude's review of the bundled example PR, printed for a human to judge.

Needs ANTHROPIC_API_KEY (ANTHROPIC_BASE_URL is honoured); without it, says so and exits 0.
Usage: python scripts/eval_llm.py [--model MODEL]
"""

from __future__ import annotations

import argparse
import email
import os
import sys
import textwrap
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from reviewer.config import Config  # noqa: E402
from reviewer.diff import parse_unified_diff  # noqa: E402
from reviewer.engine import review_change  # noqa: E402
from reviewer.workspace.files import DirectorySource  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="model id (default: the config default)")
    args = parser.parse_args(argv)
    api_key = os.environ.get("ANTHROPIC_API_KEY", "")
    if not api_key:
        print("skipped: no ANTHROPIC_API_KEY")
        return 0
    from reviewer.llm import model_review
    from reviewer.merge import merge_findings

    patch = (ROOT / "examples" / "pr.patch").read_text(encoding="utf-8")
    message = email.message_from_string(patch.split("\n---\n", 1)[0])
    title = " ".join((message.get("Subject") or "").replace("[PATCH]", "").split())
    body = (message.get_payload() or "").strip()
    changes = parse_unified_diff(patch)
    config = Config()
    if args.model:
        config = replace(config, model=replace(config.model, name=args.model))
    report, ctx = review_change(changes, DirectorySource(ROOT / "examples" / "monorepo"), config)
    print(f"example PR: {title}\n{len(changes.files)} files changed, {len(report.findings)} rule findings\n")
    result = model_review(changes, ctx, report.findings, config.model, api_key, pr_title=title, pr_body=body)
    merged = merge_findings(report.findings, result.findings)
    model_findings = [f for f in merged.findings if f.source.value == "llm"]
    print(f"== {config.model.name}: {len(model_findings)} findings (after dropping {merged.duplicates} duplicates)")
    for f in model_findings:
        where = f"{f.path}:{f.line}" + (f"-{f.end_line}" if f.end_line else "")
        print(f"\n{where}  {f.severity.value}  {f.rule_id}  confidence {f.confidence}")
        print(f"  {f.title}")
        print(textwrap.indent(textwrap.fill(f.body, 100), "    "))
        if f.fix:
            print("  fix:\n" + textwrap.indent(f.fix, "    "))
        for note in f.notes:
            print(f"  ({note})")
    print()
    for note in [*result.notes, *merged.notes]:
        print(f"note: {note}")
    print(result.usage.summary())
    return 0


if __name__ == "__main__":
    sys.exit(main())
