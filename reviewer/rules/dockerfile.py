"""Dockerfile rules: signals reaching the server, dev servers, health checks, root, pinning, secrets.

Only the final stage (or the stage compose builds with ``target:``) ships, so most rules look at
that stage as Docker sees it, inherited instructions included (see ``_container``).
"""

from __future__ import annotations

import posixpath
import re
import shlex
from collections.abc import Iterator

from reviewer.classify import FileKind
from reviewer.model import Category, Severity
from reviewer.project import SourceFile
from reviewer.rules.registry import Hit, RuleContext, Speaks, rule
from reviewer.sources import dockerfile_fixes as fx
from reviewer.sources.compose import compose_index
from reviewer.sources.container import (
    effective_command,
    effective_shell,
    external_base,
    global_args,
    keeps_shell_as_pid1,
    nearest,
    shell_command,
    strip_init,
    substitute,
)
from reviewer.sources.devloop import built_here
from reviewer.sources.dockerfile import Dockerfile, Instruction, Stage
from reviewer.sources.images import is_mutable_image
from reviewer.sources.local_dev import is_dev_file
from reviewer.sources.secrets import literal_secret


def _final(f: SourceFile) -> tuple[Dockerfile, Stage] | None:
    df = f.dockerfile
    return (df, df.final) if df.final is not None else None


def _text(ins: Instruction) -> str:
    argv = ins.exec_form
    return " ".join(argv) if argv is not None else ins.args


@rule("docker-shell-form-entrypoint", kinds={FileKind.DOCKERFILE}, category=Category.RESILIENCE,
      severity=Severity.WARNING, equivalents=("DL3025", "prefer-json-notation"))
def shell_form_entrypoint(f: SourceFile, ctx: RuleContext) -> Iterator[Hit]:
    """Container command in shell form

    Why: the shell form runs `/bin/sh -c "…"`, so `sh` is PID 1 and Debian's dash does not pass
    SIGTERM on. `docker stop` and Kubernetes wait out the grace period and SIGKILL uvicorn: in-flight
    requests fail and lifespan shutdown never runs.

    Fix:
        CMD ["uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "8000"]
        # or, when the shell must expand variables, hand PID 1 over with exec
        CMD exec uvicorn app.main:app --host 0.0.0.0 --port "${PORT:-8000}"
    """
    found = _final(f)
    if found is None:
        return
    df, stage = found
    entry, cmd = effective_command(df, stage)
    shell = effective_shell(df, stage)
    if entry is not None and entry.exec_form is None:
        if keeps_shell_as_pid1(shell, entry.args):
            yield Hit(entry.line, "`ENTRYPOINT` in shell form makes `sh` PID 1",
                      **fx.exec_form(f.lines, entry, allow_exec_form=cmd is None))
        return
    if cmd is None or cmd.exec_form is not None or not keeps_shell_as_pid1(shell, cmd.args):
        return
    if entry is not None and strip_init(entry.exec_form or []) is None:
        return  # dumb-init / tini -g signal the whole process group
    yield Hit(cmd.line, "`CMD` in shell form makes `sh` PID 1", **fx.exec_form(f.lines, cmd))


@rule("docker-exec-form-shell-wrapper", kinds={FileKind.DOCKERFILE}, category=Category.RESILIENCE,
      severity=Severity.WARNING)
def exec_form_shell_wrapper(f: SourceFile, ctx: RuleContext) -> Iterator[Hit]:
    """Exec form that wraps the server in `sh -c` without `exec`

    Why: `["sh", "-c", "alembic upgrade head && uvicorn …"]` looks like exec form, but the shell is
    still PID 1 and uvicorn its child. SIGTERM stops at the shell, so shutdown waits out the grace
    period and ends in SIGKILL.

    Fix:
        CMD ["sh", "-c", "alembic upgrade head && exec uvicorn app.main:app --host 0.0.0.0"]
    """
    found = _final(f)
    if found is None:
        return
    df, stage = found
    entry, cmd = effective_command(df, stage)
    parts = [(ins, ins.exec_form) for ins in (entry, cmd) if ins is not None]
    if entry is not None and entry.exec_form is None:
        return  # a shell-form ENTRYPOINT ignores CMD; docker-shell-form-entrypoint covers it
    if any(argv is None for _, argv in parts):
        return
    owners = [ins for ins, argv in parts for _ in argv or []]
    argv = strip_init([w for _, a in parts for w in a or []])
    if not argv:
        return
    offset = len(owners) - len(argv)
    wrapped = shell_command(argv)
    if wrapped is None:
        return
    command, index = wrapped
    if keeps_shell_as_pid1(argv[0], command):
        owner = owners[offset + index]
        yield Hit(owner.line, f"`{posixpath.basename(argv[0])} -c` runs the server as a child of the shell; start it "
                              "with `exec`", **fx.exec_in_wrapper(f.lines, owner, command))


_DEV_STAGE = re.compile(r"(?i)(^|[-_])(dev|devel|development|local|debug)([-_]|$)")
_DEV_SERVER = (
    (re.compile(r"\buvicorn\b[^;&|]*\s--reload\b"), "`uvicorn --reload` watches files and restarts workers"),
    (re.compile(r"\bfastapi\s+dev\b"), "`fastapi dev` is the auto-reloading development server"),
    (re.compile(r"\bflask\s+(?:--?\S+\s+(?:\S+\s+)?)*run\b"), "`flask run` is Werkzeug's development server"),
)


@rule("docker-dev-server-in-image", kinds={FileKind.DOCKERFILE}, category=Category.OPERABILITY,
      severity=Severity.WARNING)
def dev_server_in_image(f: SourceFile, ctx: RuleContext) -> Iterator[Hit]:
    """Image starts a development server

    Why: the final stage is what ships. A reloader watches the file system, runs one worker,
    restarts on any file change and is not hardened for production traffic.

    Fix:
        CMD ["uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
        # keep --reload in compose.override.yaml for local development:
        #   command: uvicorn app.main:app --host 0.0.0.0 --reload
    """
    found = _final(f)
    if found is None or _DEV_STAGE.search(found[1].alias or "") or is_dev_file(f.path):
        return  # a final stage named dev/dev-envs, a Dockerfile.dev: a development image by declaration
    entry, cmd = effective_command(*found)
    present = [ins for ins in (entry, cmd) if ins is not None]
    if entry is not None and entry.exec_form is None:
        present = [entry]
    combined = " ".join(_text(ins) for ins in present)
    for pattern, detail in _DEV_SERVER:
        if pattern.search(combined):
            own = next((ins for ins in reversed(present) if pattern.search(_text(ins))), present[-1])
            yield Hit(own.line, detail, **fx.production_server(f.lines, own, entry))
            return


@rule("docker-no-healthcheck", kinds={FileKind.DOCKERFILE}, category=Category.RESILIENCE,
      severity=Severity.INFO, equivalents=("CKV_DOCKER_2", "DL3057"), speaks=Speaks.AUDIT)
def no_healthcheck(f: SourceFile, ctx: RuleContext) -> Iterator[Hit]:
    """Image has no HEALTHCHECK and its compose service sets none

    Why: without a health check Docker reports the container as running while uvicorn is still
    starting or wedged, and `depends_on: condition: service_healthy` has nothing to wait for.

    Fix:
        RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
        HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \\
          CMD curl -fsS http://localhost:8000/healthz || exit 1
    """
    df = f.dockerfile
    index = compose_index(ctx.project)
    seen: set[int] = set()
    for cf, svc, ref in index.users_of(f.path):
        stage = df.stage_for(ref.target)
        if stage is None or stage.line in seen or nearest(df, stage, "HEALTHCHECK") is not None:
            continue
        if index.runs_once(cf, svc) or any(d.healthcheck is not None for _, d in index.definitions(cf, svc.name)):
            continue
        seen.add(stage.line)
        yield Hit(stage.line, f"service `{svc.name}` in {cf.path} builds this image and sets no `healthcheck:`",
                  **fx.healthcheck(df, stage, svc.name, cf.path))


_NONROOT_BASE = re.compile(r"nonroot|unprivileged|rootless|^cgr\.dev/chainguard/|(^|/)bitnami/")


@rule("docker-runs-as-root", kinds={FileKind.DOCKERFILE}, category=Category.SECURITY,
      severity=Severity.WARNING, equivalents=("DL3002", "CKV_DOCKER_3", "CKV_DOCKER_8", "missing-user"),
      speaks=Speaks.AUDIT)
def runs_as_root(f: SourceFile, ctx: RuleContext) -> Iterator[Hit]:
    """Container runs as root

    Why: a remote-code-execution bug in the app or a dependency then owns the container as root,
    which makes container escapes and writes to mounted volumes far easier. Build stages may run
    as root; the final stage should not.

    Fix:
        RUN useradd --system --uid 10001 --no-create-home app
        USER 10001
        CMD ["uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "8000"]
    """
    found = _final(f)
    if found is None:
        return
    df, stage = found
    user = nearest(df, stage, "USER")
    if user is None:
        if not _NONROOT_BASE.search(external_base(df, stage).lower()):
            yield Hit(stage.line, "the final stage never sets `USER`, so the process runs as root",
                      **fx.non_root(df, stage, None))
        return
    name = user.args.strip().split(":", 1)[0]
    if name in ("root", "0"):
        yield Hit(user.line, f"the last `USER` is `{user.args.strip()}`", **fx.non_root(df, stage, user))


@rule("docker-base-image-unpinned", kinds={FileKind.DOCKERFILE}, category=Category.OPERABILITY,
      severity=Severity.WARNING, equivalents=("DL3006", "DL3007", "CKV_DOCKER_7"))
def base_image_unpinned(f: SourceFile, ctx: RuleContext) -> Iterator[Hit]:
    """Base image without a tag or on `:latest`

    Why: the build then pulls whatever the tag points to today, so two builds of one commit can
    differ (a new Python minor, a new Debian) and a rollback does not roll back the base.

    Fix:
        FROM python:3.12.4-slim-bookworm
        # or pin the digest as well
        FROM python:3.12-slim@sha256:<digest>
    """
    df = f.dockerfile
    args = global_args(df)
    for stage in df.stages:
        base = substitute(stage.base, args)
        if not base or base.lower() == "scratch" or df.parent(stage) is not None:
            continue
        if is_mutable_image(base) and not built_here(ctx.project, base):  # a base image the repo builds
            shown = base if base == stage.base else f"{stage.base} ({base})"
            yield Hit(stage.line, f"`{shown}` is not pinned to a version", **fx.pinned_base(stage, base))


def _assignments(ins: Instruction) -> list[tuple[str, str | None]]:
    """``ENV A=1 B="x y"`` / ``ENV A value`` / ``ARG A[=d]`` -> [(name, value or None)]."""
    try:
        words = shlex.split(ins.args, posix=True)
    except ValueError:
        words = ins.args.split()
    if not words:
        return []
    if ins.keyword == "ENV" and "=" not in words[0]:
        return [(words[0], " ".join(words[1:]))]
    out: list[tuple[str, str | None]] = []
    for word in words:
        name, eq, value = word.partition("=")
        out.append((name, value if eq else None))
    return out


def _key_line(f: SourceFile, ins: Instruction, name: str) -> int:
    pattern = re.compile(rf"(^|\s){re.escape(name)}(=|\s|$)")
    for line in range(ins.line, ins.end_line + 1):
        text = f.line_text(line)
        if pattern.search(text[len(ins.keyword):] if line == ins.line else text):
            return line
    return ins.line


@rule("docker-secret-in-env-or-arg", kinds={FileKind.DOCKERFILE}, category=Category.SECURITY,
      severity=Severity.ERROR, equivalents=("DL3064", "secret-in-build-arg"))
def secret_in_env_or_arg(f: SourceFile, ctx: RuleContext) -> Iterator[Hit]:
    """Secret baked into the image with ENV or ARG

    Why: ENV values are stored in the image config and ARG values in its history; anyone who can
    pull the image (or read the build cache) reads the secret, and rotating it needs a rebuild.

    Fix:
        # pass it at run time (compose `environment: DB_PASSWORD: ${DB_PASSWORD}`, a k8s Secret),
        # or mount it only for the build step that needs it:
        RUN --mount=type=secret,id=pip_token \\
            PIP_INDEX_URL="https://__token__:$(cat /run/secrets/pip_token)@pypi.example.com/simple" \\
            pip install -r requirements.txt
    """
    assigned = [(ins, name, value) for ins in f.dockerfile.instructions if ins.keyword in ("ENV", "ARG")
                for name, value in _assignments(ins)]
    env = {name: value for _, name, value in assigned}
    dev = Severity.WARNING if is_dev_file(f.path) else None  # Dockerfile.dev, .devcontainer/Dockerfile
    for ins, name, value in assigned:
        reason = literal_secret(name, value, env)
        if reason:
            yield Hit(_key_line(f, ins, name), f"{ins.keyword} {reason}", severity=dev,
                      **fx.build_secret(ins.keyword, name))

