"""Command line: ``arch-review review|audit|rules|conventions|config``. ``main(argv) -> int``; exit 0 ok, 1 findings at
or above --fail-on, 2 usage or config error.

Flags follow ruff and checkov: ``--select``/``--ignore`` (ids or prefixes), ``--min-severity``,
``--format`` repeated (``--format text --format sarif=out.sarif``), ``--output``, and for audits
``--baseline``/``--write-baseline``."""

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
from reviewer.render.terminal import is_terminal
from reviewer.rules.registry import RuleContext
from reviewer.selection import deselected, did_you_mean
from reviewer.workspace.files import DirectorySource
from reviewer.workspace.git import GitTreeSource
from reviewer.workspace.git_diff import local_changes
from reviewer.workspace.paths import regular_file

FORMATS = ("text", "json", "sarif", "markdown", "github")
# what `audit` reads, for the message when a path holds none of it
REVIEWED_KINDS = ("FastAPI/Python code", "docker-compose files", "Dockerfiles", "Kubernetes manifests",
                  "Helm charts", "OpenAPI documents")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse would sys.exit(2) itself; we want main() -> 2
        raise UsageError(f"{self.prog}: {message}")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="arch-review", description="Architecture review for FastAPI microservices: "
                     "FastAPI code, compose files, Dockerfiles, Kubernetes manifests.")
    parser.add_argument("--version", action="version", version=f"arch-review {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def common(p: argparse.ArgumentParser, formats: tuple[str, ...] = FORMATS) -> None:
        p.set_defaults(formats_allowed=formats)
        p.add_argument("--format", action="append", metavar="FORMAT[=FILE]",
                       help=f"{'|'.join(formats)} (default: text); repeat it for several, "
                            "FORMAT=FILE writes that one to FILE (--format text --format sarif=out.sarif)")
        p.add_argument("--output", "-o", metavar="FILE", help="write the output to FILE instead of stdout")
        p.add_argument("--select", action="append", metavar="RULES",
                       help="run only these rules: ids or id prefixes, comma-separated (k8s-,fastapi-blocking)")
        p.add_argument("--ignore", action="append", metavar="RULES",
                       help="do not run these rules: ids or id prefixes, comma-separated")
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
    audit.add_argument("paths", nargs="*", default=["."], metavar="PATH",
                       help="a directory to audit (default: .), or files of the current repository to report "
                            "on (what the pre-commit hook passes)")
    audit.add_argument("--baseline", metavar="FILE",
                       help="show and fail only on findings not in this baseline (written by --write-baseline)")
    audit.add_argument("--write-baseline", metavar="FILE",
                       help="write every finding to FILE as the accepted baseline, then exit 0")
    common(audit, (*FORMATS, "mermaid", "dot", "map-json"))  # the service map, three ways

    conventions = sub.add_parser("conventions", help="show the conventions learned from a repository's services")
    conventions.add_argument("path", nargs="?", default=".", help="repository directory (default: .)")
    conventions.add_argument("--format", choices=("text", "json"), default="text")
    conventions.add_argument("--config", metavar="FILE",
                             help=f"config file (default: {DEFAULT_CONFIG_PATH} when it exists)")

    cfg = sub.add_parser("config", help="check a config file, or write a commented starter one")
    action = cfg.add_mutually_exclusive_group(required=True)
    action.add_argument("--check", action="store_true", help="validate FILE; every problem is reported")
    action.add_argument("--init", action="store_true", help="write a commented starter config to FILE")
    cfg.add_argument("file", nargs="?", default=DEFAULT_CONFIG_PATH, metavar="FILE",
                     help=f"the config file (default: {DEFAULT_CONFIG_PATH})")

    rules = sub.add_parser("rules", help="list the rules, or print one rule's documentation")
    rules.add_argument("rule_id", nargs="?", metavar="RULE-ID", help="the rule to document")
    rules.add_argument("--format", choices=("text", "json", "markdown"), default="text")
    return parser


def _parse_min_severity(value: str) -> Severity:
    try:
        return Severity.parse(value)
    except ValueError:
        raise UsageError(f"--min-severity must be info, warning or error, not {value!r}") from None


def _outputs(args: argparse.Namespace) -> list[tuple[str, str | None]]:
    """(format, file or None for stdout/--output) per --format."""
    out: list[tuple[str, str | None]] = []
    for value in args.format or ["text"]:
        name, sep, file = value.partition("=")
        if name not in args.formats_allowed:
            raise UsageError(f"--format {name}: not one of {', '.join(args.formats_allowed)}"
                             f"{did_you_mean(name, args.formats_allowed)}")
        if sep and not file:
            raise UsageError(f"--format {value}: name the file after '='")
        out.append((name, file or None))
    plain = [name for name, file in out if file is None]
    if len(plain) > 1:
        raise UsageError(f"--format {' and '.join(plain)}: only one format goes to "
                         f"{'--output' if args.output else 'stdout'}; give the others a file (FORMAT=FILE)")
    return out


def _selected(config: Config, args: argparse.Namespace) -> Config:
    if not (args.select or args.ignore):
        return config
    from reviewer.config import MODEL_RULE_IDS
    from reviewer.rules.registry import rule_ids

    off = deselected(rule_ids() | MODEL_RULE_IDS, args.select, args.ignore)
    return replace(config, disabled=config.disabled | off)


def _load_config(explicit: str | None, root: Path) -> Config:
    from reviewer.rules.registry import rule_ids

    path = Path(explicit) if explicit else root / DEFAULT_CONFIG_PATH
    source = explicit or DEFAULT_CONFIG_PATH
    if regular_file(path, f"config file {source}", root) is None:
        if explicit:
            raise UsageError(f"config file {explicit} does not exist")
        return Config(source=None)  # no file: nothing to check rule ids against, so no rule is imported
    return load_config_file(path, source, rule_ids(), root)


def _render(report: Report, ctx: RuleContext, fmt: str, config: Config, env: dict[str, str]) -> str:
    if fmt == "pr":
        from reviewer.render.review import MAX_BODY_CHARS, review_body
        from reviewer.render.text import render_plan
        from reviewer.routing import Placement, plan_review

        placement = Placement(config.max_comments, config.min_inline_severity)
        routed = plan_review(report.findings, ctx.changes, placement)
        if not routed:
            return render_plan(routed)
        body = review_body(routed, None, report.notes)
        return render_plan(routed) + f"review body: {len(body):,} characters (GitHub's limit: {MAX_BODY_CHARS:,})\n"
    if fmt == "json":
        from reviewer.render.text import render_json
        return render_json(report)
    if fmt == "markdown":
        from reviewer.render.markdown import render_report_markdown
        return render_report_markdown(report)
    if fmt == "sarif":
        from reviewer.render.links import DocsSite
        from reviewer.render.sarif import render_sarif
        return render_sarif(report, docs=DocsSite.from_env(env))
    if fmt == "github":
        from reviewer.render.annotations import RUNNER_LIMIT_PER_TYPE, render_annotations
        # the runner's per-type cap applies only on a runner; in a terminal, print every annotation
        on_runner = env.get("GITHUB_ACTIONS") == "true"
        return render_annotations(report.findings, RUNNER_LIMIT_PER_TYPE if on_runner else sys.maxsize)
    if fmt in ("mermaid", "dot", "map-json"):
        from reviewer.render.mermaid import render_graph, service_graph
        from reviewer.render.service_graph import render_dot

        graph = service_graph(ctx.project, config.service_roots)
        return {"mermaid": render_graph, "dot": render_dot}.get(fmt, lambda g: g.to_json())(graph)
    from reviewer.render.text import render_text
    return render_text(report)


def _review(args: argparse.Namespace) -> tuple[Report, RuleContext, Config]:
    from reviewer.engine import review_change
    from reviewer.workspace import git as local_git

    root = local_git.repo_root(Path(args.repo))
    head_sha = local_git.resolve(root, args.head) if args.head else None
    base_sha = local_git.merge_base(root, local_git.resolve(root, args.base), head_sha or "HEAD")
    config = _selected(_load_config(args.config, root), args)
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


def _audit_target(paths: list[str]) -> tuple[Path, tuple[str, ...]]:
    """One directory: audit it. Files (pre-commit passes the staged ones): audit the current
    directory's repository, report on those files only."""
    if len(paths) == 1 and Path(paths[0]).is_dir():
        return Path(paths[0]), ()
    missing = [p for p in paths if not Path(p).is_file()]
    if missing:
        raise UsageError(f"{missing[0]} is not a directory or a file" if len(paths) == 1
                         else f"audit takes one directory or several files; {missing[0]} is not a file")
    root = Path.cwd()
    try:
        return root, tuple(Path(p).resolve().relative_to(root.resolve()).as_posix() for p in paths)
    except ValueError:
        raise UsageError("audit FILE...: the files must be under the current directory") from None


def _audit(args: argparse.Namespace, err: TextIO) -> tuple[Report, RuleContext, Config]:
    from reviewer.engine import audit_tree
    from reviewer.render.terminal import AuditProgress

    root, only = _audit_target(args.paths)
    config = _selected(_load_config(args.config, root), args)
    progress = AuditProgress(err) if is_terminal(err, os.environ) else None
    try:
        report, ctx = audit_tree(DirectorySource(root), config, progress)
    finally:
        if progress is not None:
            progress.close()
    if only:  # the whole tree gives the cross-file rules their context; the report keeps to the files
        keep = set(only)
        report = replace(report, findings=[f for f in report.findings if f.path in keep],
                         files_reviewed=[p for p in report.files_reviewed if p in keep])
    if not report.files_reviewed:
        where = ", ".join(only) if only else str(root)
        report.notes.append(f"nothing to review in {where}: no relevant file found; arch-review reads "
                            f"{', '.join(REVIEWED_KINDS)}")
    if args.write_baseline:
        from reviewer.baseline import render_baseline

        _write(args.write_baseline, render_baseline(report.findings))
        n = len(report.findings)
        report.notes.append(f"baseline of {n} finding{'s' if n != 1 else ''} written to {args.write_baseline}")
    elif args.baseline:
        report = _without_baseline(report, args.baseline)
    return report, ctx, config


def _without_baseline(report: Report, file: str) -> Report:
    from reviewer.baseline import Baseline

    try:
        text = Path(file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read baseline {file}: {exc}") from exc
    new, known = Baseline.parse(text, file).split(report.findings)
    notes = [*report.notes, f"{known} finding{'s' if known != 1 else ''} in the baseline {file} not shown"] \
        if known else report.notes
    return replace(report, findings=new, notes=notes)


def _write(file: str, text: str) -> None:
    try:
        Path(file).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write {file}: {exc}") from exc


def _rules(args: argparse.Namespace, out: TextIO) -> int:
    from reviewer.render.catalog import render_catalog, render_rule

    if args.rule_id:
        from reviewer.rules.registry import REGISTRY, all_rules

        all_rules()
        if args.rule_id not in REGISTRY:
            raise UsageError(f"no rule {args.rule_id!r}{did_you_mean(args.rule_id, REGISTRY)}; "
                             "`arch-review rules` lists them")
        out.write(render_rule(REGISTRY[args.rule_id]))
        return 0
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


def _config(args: argparse.Namespace, out: TextIO) -> int:
    path = Path(args.file)
    if args.init:
        from importlib import resources

        if path.exists():
            raise UsageError(f"{args.file} exists; not overwritten")
        path.parent.mkdir(parents=True, exist_ok=True)
        _write(args.file, resources.files("reviewer").joinpath("data/starter.yml").read_text(encoding="utf-8"))
        out.write(f"wrote {args.file}: a commented starter config (check it with `arch-review config --check`)\n")
        return 0
    if not path.is_file():
        raise UsageError(f"config file {args.file} does not exist (`arch-review config --init` writes one)")
    from reviewer.rules.registry import rule_ids

    load_config_file(path, args.file, rule_ids())
    out.write(f"{args.file}: valid\n")
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
        if args.command == "config":
            return _config(args, out)
        fail_on = parse_fail_on(args.fail_on)
        min_severity = _parse_min_severity(args.min_severity)
        outputs = _outputs(args)
        report, ctx, config = _review(args) if args.command == "review" else _audit(args, err)
        shown = replace(report, findings=at_or_above(report.findings, min_severity))
        if len(shown.findings) < len(report.findings):
            hidden = len(report.findings) - len(shown.findings)
            shown.notes = [*report.notes, f"{hidden} finding{'s' if hidden != 1 else ''} below --min-severity "
                                          f"{min_severity.value} not shown"]
        env = dict(os.environ)
        for fmt, file in outputs:
            text = _render(shown, ctx, fmt, config, env)
            if file or args.output:
                _write(file or args.output, text)
            elif fmt == "text" and is_terminal(out, env):
                from reviewer.render.terminal import write_coloured

                write_coloured(text, out)
            else:
                out.write(text)
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
