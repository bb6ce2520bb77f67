"""Facts about container images for the compose and Dockerfile rules.

One build stage as Docker sees it (the stage plus the earlier stages it is built ``FROM``),
whether a shell sits between PID 1 and the server, and which tools a base image lacks.
"""

from __future__ import annotations

import json
import posixpath
import re

from reviewer.sources.dockerfile import Dockerfile, Instruction, Stage
from reviewer.sources.images import image_name

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


def external_base(df: Dockerfile, stage: Stage) -> str:
    return substitute(df.chain(stage)[-1].base, global_args(df))


def nearest(df: Dockerfile, stage: Stage, keyword: str) -> Instruction | None:
    for st in df.chain(stage):
        found = st.last(keyword)
        if found is not None:
            return found
    return None


def effective_command(df: Dockerfile, stage: Stage) -> tuple[Instruction | None, Instruction | None]:
    """(ENTRYPOINT, CMD) of the image. Setting ENTRYPOINT resets a CMD inherited from the base."""
    entry = cmd = None
    entry_set = cmd_set = False
    for st in df.chain(stage):
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
    for st in df.chain(stage):
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


def effective_shell(df: Dockerfile, stage: Stage) -> str:
    ins = nearest(df, stage, "SHELL")
    argv = ins.exec_form if ins is not None else None
    return argv[0] if argv else "/bin/sh"
