"""Command line: ``arch-review review|audit|rules|conventions``. ``main(argv) -> int``; exit 0 ok, 1 findings at
or above --fail-on, 2 usage or config error."""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import TextIO

from reviewer import __version__
from reviewer.config import DEFAULT_CONFIG_PATH, Config, load_config_file, parse_fail_on
from reviewer.errors import ReviewerError, UsageError
from reviewer.model import Report, Severity, at_or_above
from reviewer.rules.registry import RuleContext
from reviewer.workspace.files import DirectorySource
from reviewer.workspace.git import GitTreeSource
from reviewer.workspace.git_diff import local_changes
from reviewer.workspace.paths import regular_file

FORMATS = ("text", "json", "sarif", "markdown", "github")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse would sys.exit(2) itself; we want main() -> 2
        raise UsageError(f"{self.prog}: {message}")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="arch-review", description="Architecture review for FastAPI microservices: "
                     "FastAPI code, compose files, Dockerfiles, Kubernetes manifests.")
    parser.add_argument("--version", action="version", version=f"arch-review {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def common(p: argparse.ArgumentParser, formats: tuple[str, ...] = FORMATS) -> None:
        p.add_argument("--format", choices=formats, default="text", help="output format (default: text)")
        p.add_argument("--fail-on", default="none", metavar="LEVEL",
                       help="exit 1 when a finding is at or above none|info|warning|error (default: none)")
        p.add_argument("--config", metavar="FILE",
                       help=f"config file (default: {DEFAULT_CONFIG_PATH} when it exists)")
        p.add_argument("--min-severity", default="info", metavar="LEVEL",
                       help="show only findings at or above info|warning|error (default: info); "
                            "--fail-on still counts every finding")

    review = sub.add_parser("review", help="review the change between --base and --head (or the work tree)")
    review.add_argument("--base", required=True, metavar="REF", help="the branch or commit the change goes into")
    review.add_argument("--head", metavar="REF", help="the changed commit (default: the working tree)")
    review.add_argument("--repo", default=".", metavar="DIR", help="repository (default: .)")
    review.add_argument("--all", action="store_true", dest="list_all",
                        help="also list the findings already present in the files the change touches")
    review.add_argument("--model-review", action="store_true",
                        help="also ask Claude to review the change (reads ANTHROPIC_API_KEY and ANTHROPIC_BASE_URL)")
    common(review, (*FORMATS, "pr"))  # pr: what a pull_request run would post, grouped and placed

    audit = sub.add_parser("audit", help="review every file of a repository")
    audit.add_argument("path", nargs="?", default=".", help="directory to audit (default: .)")
    common(audit, (*FORMATS, "mermaid"))

    conventions = sub.add_parser("conventions", help="show the conventions learned from a repository's services")
    conventions.add_argument("path", nargs="?", default=".", help="repository directory (default: .)")
    conventions.add_argument("--format", choices=("text", "json"), default="text")
    conventions.add_argument("--config", metavar="FILE",
                             help=f"config file (default: {DEFAULT_CONFIG_PATH} when it exists)")

    rules = sub.add_parser("rules", help="list the rules")
    rules.add_argument("--format", choices=("text", "json", "markdown"), default="text")
    return parser


def _parse_min_severity(value: str) -> Severity:
    try:
        return Severity.parse(value)
    except ValueError:
        raise UsageError(f"--min-severity must be info, warning or error, not {value!r}") from None


def _load_config(explicit: str | None, root: Path) -> Config:
    from reviewer.rules.registry import rule_ids

    path = Path(explicit) if explicit else root / DEFAULT_CONFIG_PATH
    source = explicit or DEFAULT_CONFIG_PATH
    if regular_file(path, f"config file {source}", root) is None:
        if explicit:
            raise UsageError(f"config file {explicit} does not exist")
        return Config(source=None)  # no file: nothing to check rule ids against, so no rule is imported
    return load_config_file(path, source, rule_ids(), root)


def _render(report: Report, ctx: RuleContext, fmt: str, config: Config) -> str:
    if fmt == "pr":
        from reviewer.render.text import render_plan
        from reviewer.routing import Placement, plan_review

        placement = Placement(config.max_comments, config.min_inline_severity)
        return render_plan(plan_review(report.findings, ctx.changes, placement))
    if fmt == "json":
        from reviewer.render.text import render_json
        return render_json(report)
    if fmt == "markdown":
        from reviewer.render.markdown import render_report_markdown
        return render_report_markdown(report)
    if fmt == "sarif":
        from reviewer.render.sarif import render_sarif
        return render_sarif(report)
    if fmt == "github":
        from reviewer.render.annotations import render_annotations
        return render_annotations(report.findings)
    if fmt == "mermaid":
        from reviewer.render.mermaid import render_service_map
        return render_service_map(ctx.project)
    from reviewer.render.text import render_text
    return render_text(report)


def _review(args: argparse.Namespace) -> tuple[Report, RuleContext, Config]:
    from reviewer.engine import review_change
    from reviewer.workspace import git as local_git

    root = local_git.repo_root(Path(args.repo))
    head_sha = local_git.resolve(root, args.head) if args.head else None
    base_sha = local_git.merge_base(root, local_git.resolve(root, args.base), head_sha or "HEAD")
    config = _load_config(args.config, root)
    changes = local_changes(root, base_sha, head_sha)
    head = GitTreeSource(root, head_sha) if head_sha else DirectorySource(root)
    report, ctx = review_change(changes, head, config, base=GitTreeSource(root, base_sha))
    if args.model_review:
        from reviewer.engine import with_model_review

        report = with_model_review(report, ctx, config, os.environ.get("ANTHROPIC_API_KEY", ""))
        if report.usage is not None:
            report.notes.append(report.usage.summary())
    if args.list_all or config.list_pre_existing:
        report = report.listing_all()
    return report, ctx, config


def _audit(args: argparse.Namespace) -> tuple[Report, RuleContext, Config]:
    from reviewer.engine import audit_tree

    root = Path(args.path)
    if not root.is_dir():
        raise UsageError(f"{args.path} is not a directory")
    config = _load_config(args.config, root)
    report, ctx = audit_tree(DirectorySource(root), config)
    return report, ctx, config


def _rules(args: argparse.Namespace, out: TextIO) -> int:
    from reviewer.render.catalog import render_catalog

    out.write(render_catalog(args.format))
    return 0


def _conventions(args: argparse.Namespace, out: TextIO) -> int:
    from reviewer.project import Project
    from reviewer.render.conventions import render_conventions
    from reviewer.services.build import build_service_model
    from reviewer.services.conventions import eligible, learn

    root = Path(args.path)
    if not root.is_dir():
        raise UsageError(f"{args.path} is not a directory")
    config = _load_config(args.config, root)
    model = build_service_model(Project.load(DirectorySource(root), include=config.path_included),
                                config.service_roots)
    names = sorted(s.name for s in model.services if eligible(s))
    out.write(render_conventions(learn(model, config.convention_settings), names, args.format))
    return 0


def main(argv: list[str] | None = None, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help(out)
            return 2
        if args.command == "rules":
            return _rules(args, out)
        if args.command == "conventions":
            return _conventions(args, out)
        fail_on = parse_fail_on(args.fail_on)
        min_severity = _parse_min_severity(args.min_severity)
        report, ctx, config = _review(args) if args.command == "review" else _audit(args)
        shown = replace(report, findings=at_or_above(report.findings, min_severity))
        if len(shown.findings) < len(report.findings):
            hidden = len(report.findings) - len(shown.findings)
            shown.notes = [*report.notes, f"{hidden} finding{'s' if hidden != 1 else ''} below --min-severity "
                                          f"{min_severity.value} not shown"]
        out.write(_render(shown, ctx, args.format, config))
        threshold = fail_on or config.fail_on
        return 1 if at_or_above(report.findings, threshold) else 0
    except ValueError as exc:
        err.write(f"arch-review: {exc}\n")
        return 2
    except ReviewerError as exc:
        err.write(f"arch-review: {exc}\n")
        return exc.exit_code


def entry() -> None:
    sys.exit(main())
