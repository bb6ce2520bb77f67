"""Fixes for Dockerfile findings, built from the instruction as written: its keyword, its command,
the stage's base image and ports. An instruction is rewritten as a suggestion only when it can be
re-emitted exactly (no comment lines inside a continuation, no variable the shell must expand in
an exec form)."""

from __future__ import annotations

import json
import posixpath
import re
import shlex

from reviewer.sources.container import effective_command, external_base, nearest
from reviewer.sources.dockerfile import Dockerfile, Instruction, Stage
from reviewer.sources.edits import PIN, Remedy, indent_of, remedy
from reviewer.sources.images import http_check, image_name, unpinned_name, url_in

_SHELL_SYNTAX = re.compile(r"[$&|;<>`*?()~\\\n]|^\w+=")  # what only a shell can do with the words
_SEPARATOR = re.compile(r"&&|;|\n")


def _head(lines: list[str], ins: Instruction) -> tuple[str, str] | None:
    """(indentation + keyword as written, the rest of the first line) of an instruction."""
    if not 0 < ins.line <= len(lines):
        return None
    raw = lines[ins.line - 1]
    lead = indent_of(raw)
    keyword = raw[len(lead): len(lead) + len(ins.keyword)]
    if keyword.upper() != ins.keyword:
        return None
    return lead + keyword, raw[len(lead) + len(keyword):]


def _plain(lines: list[str], ins: Instruction) -> bool:
    """Every line of the instruction is part of it (no comment line inside a continuation)."""
    return all(not lines[n - 1].strip().startswith("#") and lines[n - 1].strip()
               for n in range(ins.line, ins.end_line + 1))


def exec_form_words(command: str) -> list[str] | None:
    """The words of a shell-form command when exec form means the same (no shell syntax in it)."""
    if _SHELL_SYNTAX.search(command):
        return None
    try:
        return shlex.split(command)
    except ValueError:
        return None


def with_exec(command: str) -> str | None:
    """``a && uvicorn ...`` -> ``a && exec uvicorn ...``: the last command replaces the shell.
    None when that would change what runs (``||``, a pipe or ``&`` in the last command, quotes
    that make the separators uncertain)."""
    if "||" in command or command.count("'") % 2 or command.count('"') % 2:
        return None
    found = list(_SEPARATOR.finditer(command))
    start = found[-1].end() if found else 0
    tail = command[start:]
    if "|" in tail or tail.rstrip().endswith("&") or not tail.strip() or re.match(r"\s*\w+=", tail) \
            or tail.count("'") % 2 or tail.count('"') % 2:
        return None
    lead = len(tail) - len(tail.lstrip())
    return f"{command[:start]}{tail[:lead]}exec {tail[lead:]}"


def exec_form(lines: list[str], ins: Instruction, *, allow_exec_form: bool = True) -> Remedy:
    """docker-shell-form-entrypoint: the same command in exec form, or handed PID 1 with ``exec``
    where the shell must stay (variables to expand, ``&&`` chains). ``allow_exec_form`` is False for
    an ENTRYPOINT followed by a CMD: exec form would start passing CMD to it as arguments."""
    head = _head(lines, ins)
    words = exec_form_words(ins.args) if allow_exec_form else None
    if words:
        text = f"{ins.keyword} {json.dumps(words, ensure_ascii=False)}"
        if head is None or not _plain(lines, ins):
            return remedy(text)
        return remedy(text, f"{head[0]} {json.dumps(words, ensure_ascii=False)}", line=ins.line, end_line=ins.end_line)
    handed = with_exec(ins.args)
    if handed is None:
        return {}  # the rule's example stays
    fix = f"{ins.keyword} {handed}"
    if head is None or ins.line != ins.end_line or not re.match(r"\s+\S", head[1]) or \
            head[1].strip() != ins.args.strip():
        return remedy(fix)
    space = head[1][: len(head[1]) - len(head[1].lstrip())]
    return remedy(fix, f"{head[0]}{space}{handed}", line=ins.line)


def exec_in_wrapper(lines: list[str], ins: Instruction, command: str) -> Remedy:
    """docker-exec-form-shell-wrapper: ``exec`` before the server command inside ``sh -c``."""
    argv = ins.exec_form or []
    handed = with_exec(command)
    if handed is None or command not in argv:
        return {}
    new = [handed if word == command else word for word in argv]
    text = json.dumps(new, ensure_ascii=False)
    head = _head(lines, ins)
    if head is None or ins.line != ins.end_line:
        return remedy(f"{ins.keyword} {text}")
    return remedy(f"{ins.keyword} {text}", f"{head[0]} {text}", line=ins.line)


_RELOAD_WITH_VALUE = ("--reload-dir", "--reload-include", "--reload-exclude", "--reload-delay")


def _production_argv(argv: list[str], before: list[str]) -> list[str] | None:
    """argv without the reloader; ``before``: the exec-form ENTRYPOINT words it is appended to."""
    out: list[str] = []
    skip = False
    for i, word in enumerate(argv):
        previous = argv[i - 1] if i > 0 else before[-1] if before else ""
        if skip:
            skip = False
        elif word == "--reload" or word.startswith(tuple(f"{w}=" for w in _RELOAD_WITH_VALUE)):
            continue
        elif word in _RELOAD_WITH_VALUE:
            skip = True
        elif word == "dev" and posixpath.basename(previous) == "fastapi":
            out.append("run")
        else:
            out.append(word)
    return out if out != argv else None


def production_server(lines: list[str], ins: Instruction, entry: Instruction | None = None) -> Remedy:
    """docker-dev-server-in-image: the same command without the reloader (``uvicorn`` without
    ``--reload``, ``fastapi run`` for ``fastapi dev``); no fix for servers we cannot swap (flask run).
    ``entry``: the ENTRYPOINT when ``ins`` is the CMD appended to it."""
    argv = ins.exec_form
    words = argv if argv is not None else exec_form_words(ins.args)
    before = (entry.exec_form or []) if entry is not None and entry is not ins else []
    new = _production_argv(words, before) if words else None
    if new is None:
        return {}
    keep = "\n# keep the reloader in compose.override.yaml for local development"
    head = _head(lines, ins)
    if argv is not None:
        text = json.dumps(new, ensure_ascii=False)
        suggestion = f"{head[0]} {text}" if head is not None and ins.line == ins.end_line else None
        return remedy(f"{ins.keyword} {text}{keep}", suggestion, line=ins.line)
    text = shlex.join(new)
    suggestion = f"{head[0]} {text}" if head is not None and ins.line == ins.end_line and \
        shlex.join(words or []) == ins.args.strip() else None
    return remedy(f"{ins.keyword} {text}{keep}", suggestion, line=ins.line)


def pinned_base(stage: Stage, resolved: str) -> Remedy:
    """docker-base-image-unpinned: the real image with a tag to pin (we cannot know the version)."""
    name = unpinned_name(resolved)
    alias = f" AS {stage.alias}" if stage.alias else ""
    arg = re.match(r"\$\{?(\w+)", stage.base)
    first = f"ARG {arg.group(1)}={name}:{PIN}" if arg else f"FROM {name}:{PIN}{alias}"
    return remedy(f"{first}\n# or pin the digest as well\nFROM {name}:{PIN}@sha256:<digest>{alias}")


def _port(df: Dockerfile, stage: Stage) -> str:
    expose = nearest(df, stage, "EXPOSE")
    first = expose.args.split()[0].split("/")[0] if expose is not None and expose.args.split() else ""
    return first if first.isdigit() else "8000"


def healthcheck(df: Dockerfile, stage: Stage, service: str, compose_path: str) -> Remedy:
    """docker-no-healthcheck: a HEALTHCHECK on the stage's own port, with a tool its base image has."""
    url = f"http://localhost:{_port(df, stage)}/healthz"
    check = http_check(external_base(df, stage), url) or ["CMD", "curl", "-fsS", url]
    install = "" if check[1] != "curl" else ("RUN apt-get update && apt-get install -y --no-install-recommends curl "
                                             "&& rm -rf /var/lib/apt/lists/*\n")
    return remedy(f"{install}HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \\\n"
                  f"  CMD {json.dumps(check[1:])}\n"
                  f"# or give service `{service}` a `healthcheck:` in {compose_path}")


def healthcheck_with(lines: list[str], ins: Instruction, base: str, tool: str) -> Remedy:
    """compose-healthcheck-tool-missing (Dockerfile): the same HEALTHCHECK with a tool the base has."""
    url = url_in(ins.args)
    check = http_check(base, url, without=tool) if url else None
    if check is None or not ins.args.upper().startswith("CMD"):
        return {}
    options = "".join(f"{flag} " for flag in ins.flags)
    text = f"{options}CMD {json.dumps(check[1:])}"
    head = _head(lines, ins)
    suggestion = f"{head[0]} {text}" if head is not None and _plain(lines, ins) else None
    return remedy(f"HEALTHCHECK {text}", suggestion, line=ins.line, end_line=ins.end_line)


def non_root(df: Dockerfile, stage: Stage, user: Instruction | None) -> Remedy:
    """docker-runs-as-root: a user that the stage's base image can create, then the real command."""
    base = external_base(df, stage).lower()
    if "distroless" in base:
        steps = ["USER nonroot"]
    elif "alpine" in base or image_name(base) == "alpine":
        steps = ["RUN addgroup -S app && adduser -S -G app -u 10001 app", "USER 10001"]
    else:
        steps = ["RUN useradd --system --uid 10001 --no-create-home app", "USER 10001"]
    if user is not None:
        steps = [f"# instead of `USER {user.args.strip()}`:", *steps]
    command = [ins for ins in effective_command(df, stage) if ins is not None]
    steps += [f"{ins.keyword} {ins.args}" for ins in command]
    return remedy("\n".join(steps))


def build_secret(keyword: str, name: str) -> Remedy:
    """docker-secret-in-env-or-arg: the variable given at run time, or mounted for one build step."""
    ident = re.sub(r"[^a-z0-9_]", "_", name.lower())
    return remedy(f"# drop `{keyword} {name}`; give {name} to the container when it runs\n"
                  f"# (compose `environment: {{{name}: ${{{name}}}}}`, a Kubernetes Secret),\n"
                  "# or mount it only for the build step that needs it:\n"
                  f"RUN --mount=type=secret,id={ident} \\\n"
                  f"    {name}=\"$(cat /run/secrets/{ident})\" <the command that needs it>")
