"""Dockerfile rules: signals reaching the server, dev servers, health checks, root, pinning, secrets.

The helpers above the rules answer questions about one build stage as Docker sees it (the
stage plus the earlier stages it is built ``FROM``); the compose rules reuse them.
"""

from __future__ import annotations

import json
import posixpath
import re
import shlex
from collections.abc import Iterator
from itertools import pairwise

from reviewer.classify import FileKind
from reviewer.model import Category, Severity
from reviewer.project import SourceFile
from reviewer.rules.helpers import image_name, is_literal_secret, is_mutable_image
from reviewer.rules.registry import Hit, RuleContext, rule
from reviewer.sources.compose import compose_index
from reviewer.sources.dockerfile import Dockerfile, Instruction, Stage

# ---- one build stage as Docker sees it -------------------------------------------------------

_ARG_REF = re.compile(r"\$\{([A-Za-z_]\w*)(?::?-([^}]*))?\}|\$([A-Za-z_]\w*)")


def global_args(df: Dockerfile) -> dict[str, str]:
    """ARG defaults declared before the first FROM (the only ones FROM may use)."""
    out: dict[str, str] = {}
    for ins in df.instructions:
        if ins.keyword == "FROM":
            break
        if ins.keyword == "ARG":
            name, eq, value = ins.args.strip().partition("=")
            if eq:
                out[name.strip()] = value.strip().strip("\"'")
    return out


def substitute(text: str, args: dict[str, str]) -> str:
    """``${X}``/``$X``/``${X:-d}`` from ARG defaults; unknown references are left as written."""
    def one(m: re.Match[str]) -> str:
        name = m.group(1) or m.group(3)
        if args.get(name):
            return args[name]
        return m.group(2) if m.group(2) is not None else m.group(0)
    return _ARG_REF.sub(one, text)


def stage_for(df: Dockerfile, target: str | None = None) -> Stage | None:
    if target:
        return next((s for s in df.stages if s.alias and s.alias.lower() == target.lower()), None)
    return df.final


def chain(df: Dockerfile, stage: Stage) -> list[Stage]:
    """The stage, then each earlier stage it is built FROM (its instructions are inherited)."""
    out = [stage]
    while True:
        base = out[-1].base.lower()
        parent = next((s for s in df.stages[: out[-1].index] if s.alias and s.alias.lower() == base), None)
        if parent is None or parent in out:
            return out
        out.append(parent)


def external_base(df: Dockerfile, stage: Stage) -> str:
    return substitute(chain(df, stage)[-1].base, global_args(df))


def nearest(df: Dockerfile, stage: Stage, keyword: str) -> Instruction | None:
    for st in chain(df, stage):
        found = st.last(keyword)
        if found is not None:
            return found
    return None


def effective_command(df: Dockerfile, stage: Stage) -> tuple[Instruction | None, Instruction | None]:
    """(ENTRYPOINT, CMD) of the image. Setting ENTRYPOINT resets a CMD inherited from the base."""
    entry = cmd = None
    entry_set = cmd_set = False
    for st in chain(df, stage):
        if not cmd_set and (c := st.last("CMD")) is not None:
            cmd, cmd_set = c, True
        if not entry_set and (e := st.last("ENTRYPOINT")) is not None:
            entry, entry_set, cmd_set = e, True, True
        if entry_set and cmd_set:
            break
    return entry, cmd


def healthcheck_args(ins: Instruction) -> str:
    """``HEALTHCHECK [opts] CMD x`` -> the command text ('' for NONE)."""
    text = ins.args.strip()
    if not text.upper().startswith("CMD"):
        return ""
    body = text[3:].strip()
    if body.startswith("["):
        try:
            return " ".join(str(w) for w in json.loads(body))
        except ValueError:
            return body
    return body


_INSTALL = re.compile(r"\b(apt-get|apt|apk|yum|dnf|microdnf|zypper|tdnf)\b.*\b(install|add)\b")


def installs_tool(df: Dockerfile, stage: Stage, tool: str) -> bool:
    """A RUN in the stage chain installs ``tool`` with a package manager, or a COPY brings it in."""
    word = re.compile(rf"(?<![\w.+-]){re.escape(tool)}(?:[=<>~][^\s]*)?(?![\w.+-])")
    for st in chain(df, stage):
        for ins in st.instructions:
            if ins.keyword == "RUN":
                for segment in re.split(r"&&|\|\||;", ins.args):
                    if _INSTALL.search(segment) and word.search(segment):
                        return True
                    if tool == "wget" and _INSTALL.search(segment) and "busybox" in segment:
                        return True
            elif ins.keyword in ("COPY", "ADD") and re.search(rf"/{re.escape(tool)}\b", ins.args):
                return True
    return False


# Official language/base images whose slim/alpine variants are known not to ship the tool.
_KNOWN_BASES = {"python", "pypy", "node", "alpine", "debian", "golang", "ruby", "rust", "perl", "php",
                "openjdk", "eclipse-temurin"}


def tool_missing_reason(image: str, tool: str) -> str | None:
    """Why ``image`` has no ``tool`` (None when it has it, or when we cannot know)."""
    ref = image.lower()
    if "distroless" in ref:
        return f"distroless images ship no shell and no `{tool}`"
    name, tag = image_name(image), ref.split("@", 1)[0].rsplit("/", 1)[-1].partition(":")[2]
    if name not in _KNOWN_BASES:
        return None
    if "slim" in tag:
        return f"`{image}` is a slim image without `curl` or `wget`"
    if name == "alpine" or "alpine" in tag:
        return None if tool == "wget" else f"`{image}` is Alpine: BusyBox has `wget` but not `curl`"
    return None


TOOL_CALL = re.compile(r"(?:^|[\s;&|(])(?:\S*/)?(curl|wget)(?=\s|$)")

# ---- shells as PID 1 ---------------------------------------------------------------------------

_SHELLS = {"sh", "ash", "dash", "bash", "zsh"}
_EXECS_LAST = {"bash", "zsh"}  # bash >= 5.1 and zsh exec the last simple command of `-c` themselves
_SEGMENTS = re.compile(r"&&|\|\||;|\n")
_PIPE = re.compile(r"(?<!\|)\|(?!\|)")


def keeps_shell_as_pid1(shell: str, command: str) -> bool:
    """Whether ``shell -c command`` leaves the shell between PID 1 and the server.

    dash (Debian's /bin/sh) forks even for `sh -c 'uvicorn app:app'`; `exec` hands over PID 1.
    Checked with dash 0.5.12 and bash 5.2: `dash -c 'sleep 1'` stays dash, `bash -c 'a && sleep 1'`
    becomes sleep.
    """
    segments = [s.strip() for s in _SEGMENTS.split(command) if s.strip()]
    if not segments or "trap " in command:
        return False
    if segments[0].startswith("exec ") or segments[-1].startswith("exec "):
        return False
    if posixpath.basename(shell) in _EXECS_LAST:
        return bool(_PIPE.search(segments[-1])) or segments[-1].endswith("&")
    return True


def strip_init(argv: list[str]) -> list[str] | None:
    """argv without a leading tini; None when an init forwards signals to the whole group."""
    if not argv:
        return argv
    name = posixpath.basename(argv[0])
    if name == "dumb-init":
        return None
    if name in ("tini", "tini-static"):
        rest = argv[1:]
        flags = []
        while rest and rest[0].startswith("-") and rest[0] != "--":
            flags.append(rest.pop(0))
        if "-g" in flags:
            return None
        return rest[1:] if rest[:1] == ["--"] else rest
    return argv


def shell_command(argv: list[str]) -> tuple[str, int] | None:
    """(command string, its index) when argv is `<shell> [opts] -c <command>`."""
    if not argv or posixpath.basename(argv[0]) not in _SHELLS:
        return None
    i = 1
    while i < len(argv):
        arg = argv[i]
        if arg.startswith("-") and not arg.startswith("--") and "c" in arg[1:]:
            return (argv[i + 1], i + 1) if i + 1 < len(argv) else None
        if arg in ("-o", "+o"):
            i += 2
            continue
        if not arg.startswith(("-", "+")):
            return None
        i += 1
    return None


def _effective_shell(df: Dockerfile, stage: Stage) -> str:
    ins = nearest(df, stage, "SHELL")
    argv = ins.exec_form if ins is not None else None
    return argv[0] if argv else "/bin/sh"


# ---- secrets -----------------------------------------------------------------------------------

_SECRET_WORDS = {"pass", "password", "passwords", "passwd", "passphrase", "secret", "secrets", "token",
                 "tokens", "apikey", "credential", "credentials", "privatekey"}
_SECRET_PAIRS = {("api", "key"), ("private", "key"), ("access", "key"), ("signing", "key"), ("encryption", "key")}
_NOT_SECRET_LAST = {"file", "path", "dir", "expire", "expires", "expiry", "expiration", "ttl", "minutes",
                    "seconds", "hours", "days", "length", "len", "algorithm", "alg", "header", "name", "type",
                    "url", "uri", "endpoint", "host", "port", "enabled", "enable", "required", "policy", "min",
                    "max", "issuer", "audience", "scope", "scopes", "prefix", "version", "lifetime", "timeout",
                    "location", "mode", "method", "id", "user", "username", "format", "backend", "provider"}
# like helpers.URL_WITH_PASSWORD, but the user may be empty: redis://:s3cret@cache:6379/0
_URL_PASSWORD = re.compile(r"\b[a-z][a-z0-9+.-]*://[^/\s:@]*:([^/\s@]+)@")
_FLAG_VALUES = {"true", "false", "yes", "no", "on", "off", "none", "null", "1", "0"}
_PLACEHOLDERS = re.compile(r"(?i)^(<.*>|\{\{.*\}\}|change[-_]?me|replace[-_]?me|placeholder|dummy|todo|x+|\*+)$")


def _words(name: str) -> list[str]:
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    return [w for w in re.split(r"[^A-Za-z0-9]+", spaced.lower()) if w]


def is_secret_key(name: str) -> bool:
    """A variable name that holds a secret (DB_PASSWORD, jwtSecret), not one about it (TOKEN_TTL)."""
    words = _words(name)
    if not words or words[-1] in _NOT_SECRET_LAST:
        return False
    return any(w in _SECRET_WORDS for w in words) or any(p in _SECRET_PAIRS for p in pairwise(words))


def _literal(text: str) -> bool:
    if text.isdigit() and len(text) < 4:  # a count or a flag, not a credential
        return False
    return is_literal_secret(text) and not _PLACEHOLDERS.match(text) and text.lower() not in _FLAG_VALUES \
        and not text.startswith(("/", "./", "~/"))


def literal_secret(name: str, value: object) -> str | None:
    """Why this variable's value is a committed secret; None when it is not one."""
    if value is None or isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return None
    text = str(value).strip()
    url = _URL_PASSWORD.search(text)
    if url and "$" not in url.group(1) and not _PLACEHOLDERS.match(url.group(1)):
        return f"`{name}` holds a URL with an inline password"
    if not is_secret_key(name):
        return None
    if "$" in text:
        m = re.fullmatch(r"\$\{[A-Za-z_]\w*:?-([^}]*)\}", text)
        if m and _literal(m.group(1).strip().strip("\"'")):
            return f"`{name}` falls back to a literal default when the variable is unset"
        return None
    if _literal(text):
        return f"`{name}` is set to a literal value"
    return None


# ---- rules -------------------------------------------------------------------------------------

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
    shell = _effective_shell(df, stage)
    if entry is not None and entry.exec_form is None:
        if keeps_shell_as_pid1(shell, entry.args):
            yield Hit(entry.line, "`ENTRYPOINT` in shell form makes `sh` PID 1")
        return
    if cmd is None or cmd.exec_form is not None or not keeps_shell_as_pid1(shell, cmd.args):
        return
    if entry is not None and strip_init(entry.exec_form or []) is None:
        return  # dumb-init / tini -g signal the whole process group
    yield Hit(cmd.line, "`CMD` in shell form makes `sh` PID 1")


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
        yield Hit(owners[offset + index].line,
                  f"`{posixpath.basename(argv[0])} -c` runs the server as a child of the shell; start it with `exec`")


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
    if found is None or _DEV_STAGE.search(found[1].alias or ""):
        return  # a final stage named dev/dev-envs is a development image by declaration
    entry, cmd = effective_command(*found)
    present = [ins for ins in (entry, cmd) if ins is not None]
    if entry is not None and entry.exec_form is None:
        present = [entry]
    combined = " ".join(_text(ins) for ins in present)
    for pattern, detail in _DEV_SERVER:
        if pattern.search(combined):
            own = next((ins for ins in reversed(present) if pattern.search(_text(ins))), present[-1])
            yield Hit(own.line, detail)
            return


@rule("docker-no-healthcheck", kinds={FileKind.DOCKERFILE}, category=Category.RESILIENCE,
      severity=Severity.INFO, equivalents=("CKV_DOCKER_2", "DL3057"))
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
        stage = stage_for(df, ref.target)
        if stage is None or stage.line in seen or nearest(df, stage, "HEALTHCHECK") is not None:
            continue
        if index.runs_once(cf, svc) or any(d.healthcheck is not None for _, d in index.definitions(cf, svc.name)):
            continue
        seen.add(stage.line)
        yield Hit(stage.line, f"service `{svc.name}` in {cf.path} builds this image and sets no `healthcheck:`")


_NONROOT_BASE = re.compile(r"nonroot|unprivileged|rootless|^cgr\.dev/chainguard/|(^|/)bitnami/")


@rule("docker-runs-as-root", kinds={FileKind.DOCKERFILE}, category=Category.SECURITY,
      severity=Severity.WARNING, equivalents=("DL3002", "CKV_DOCKER_3", "CKV_DOCKER_8", "missing-user"))
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
            yield Hit(stage.line, "the final stage never sets `USER`, so the process runs as root")
        return
    name = user.args.strip().split(":", 1)[0]
    if name in ("root", "0"):
        yield Hit(user.line, f"the last `USER` is `{user.args.strip()}`")


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
        earlier = {s.alias.lower() for s in df.stages[: stage.index] if s.alias}
        base = substitute(stage.base, args)
        if not base or base.lower() == "scratch" or stage.base.lower() in earlier:
            continue
        if is_mutable_image(base):
            shown = base if base == stage.base else f"{stage.base} ({base})"
            yield Hit(stage.line, f"`{shown}` is not pinned to a version")


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
        RUN --mount=type=secret,id=pip_token \
            PIP_INDEX_URL="https://__token__:$(cat /run/secrets/pip_token)@pypi.example.com/simple" \
            pip install -r requirements.txt
    """
    for ins in f.dockerfile.instructions:
        if ins.keyword not in ("ENV", "ARG"):
            continue
        for name, value in _assignments(ins):
            reason = literal_secret(name, value)
            if reason:
                yield Hit(_key_line(f, ins, name), f"{ins.keyword} {reason}")

