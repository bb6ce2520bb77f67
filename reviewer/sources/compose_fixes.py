"""Fixes for compose findings, in the service's own names: its key, its dependency, its image,
its variable, its port. Suggestions are built from the file's lines (indentation and trailing
comments kept) and only for block-style YAML that we can re-emit exactly."""

from __future__ import annotations

import json
import re

import yaml

from reviewer.project import SourceFile
from reviewer.sources.compose import ComposeService, Dependency, EnvVar, Healthcheck, PortMapping
from reviewer.sources.container import external_base
from reviewer.sources.dockerfile import Dockerfile, Instruction, Stage
from reviewer.sources.dockerfile_fixes import healthcheck_with
from reviewer.sources.edits import Remedy, indent_of, insert_under, line_at, remedy, split_comment
from reviewer.sources.images import health_test, http_check, url_in, with_pin
from reviewer.sources.secrets import URL_WITH_PASSWORD
from reviewer.sources.yaml_docs import YList, YMap

_NAME = r"[A-Za-z0-9][A-Za-z0-9._-]*"
_LIST_ITEM = re.compile(rf"^(\s*)-\s+([\"']?)({_NAME})\2$")
_FLOW_LIST = re.compile(rf"^(\s*)depends_on:\s*\[\s*((?:[\"']?{_NAME}[\"']?\s*,\s*)*[\"']?{_NAME}[\"']?)\s*,?\s*\]$")


def _service(name: str, *body: str) -> str:
    return "\n".join([f"{name}:", *(f"  {line}" for b in body for line in b.splitlines())])


def _first_child(m: YMap) -> int | None:
    return min(m.key_lines.values()) if getattr(m, "key_lines", None) else None


def _insert(lines: list[str], svc: ComposeService, block: list[str]) -> str | None:
    first = _first_child(svc.data)
    return insert_under(lines, svc.line, first, block) if first is not None and first > svc.line else None


# ---- depends_on --------------------------------------------------------------------------------

def _long_form(names: list[tuple[str, str]], healthy: set[str], indent: str) -> list[str]:
    out = []
    for name, comment in names:
        condition = "service_healthy" if name in healthy else "service_started"
        out += [f"{indent}{name}:{comment}", f"{indent}  condition: {condition}"]
    return out


def _list_edit(lines: list[str], svc: ComposeService, deps: YList, healthy: set[str]) -> tuple[str, int] | None:
    """The whole short-form list rewritten in long form: (replacement, last line)."""
    key_line = svc.key_line("depends_on")
    key = line_at(lines, key_line) or ""
    if all(deps.line_at(i) == key_line for i in range(len(deps))):  # depends_on: [db, cache]
        code, comment = split_comment(key)
        m = _FLOW_LIST.match(code)
        if m is None:
            return None
        names = [(n.strip().strip("\"'"), "") for n in m.group(2).split(",") if n.strip()]
        block = _long_form(names, healthy, m.group(1) + "  ")
        return "\n".join([f"{m.group(1)}depends_on:{comment}", *block]), key_line
    first, last = deps.line_at(0), deps.line_at(len(deps) - 1)
    if last - first + 1 != len(deps) or first <= key_line:
        return None
    names = []
    for n in range(first, last + 1):
        code, comment = split_comment(line_at(lines, n) or "")
        m = _LIST_ITEM.match(code)
        if m is None:
            return None
        names.append((m.group(3), comment))
    dash, base = indent_of(line_at(lines, first) or ""), indent_of(key)
    indent = dash if len(dash) > len(base) else base + "  "
    return "\n".join(_long_form(names, healthy, indent)), last


def _condition_edit(lines: list[str], dep: Dependency, spec: object) -> tuple[str, int] | None:
    """The dependency's block with ``condition: service_healthy`` set: (replacement, last line)."""
    if isinstance(spec, YMap) and "condition" in spec:
        at = spec.line_of("condition")
        code, comment = split_comment(line_at(lines, at) or "")
        if at < dep.line or code.count("service_started") != 1:
            return None
        block = [line_at(lines, n) or "" for n in range(dep.line, at)]
        return "\n".join([*block, code.replace("service_started", "service_healthy") + comment]), at
    if spec is not None and not (isinstance(spec, YMap) and spec):
        return None  # `db: {}` and the like: flow style we do not re-emit
    text = insert_under(lines, dep.line, _first_child(spec) if isinstance(spec, YMap) else None,
                        ["condition: service_healthy"])
    return (text, dep.line) if text is not None else None


def healthy_dependency(f: SourceFile, svc: ComposeService, dep: Dependency, healthy: set[Dependency]) -> Remedy:
    """compose-depends-on-not-healthy: the long form with ``condition: service_healthy``. A short-form
    list is rewritten whole, from its first item; ``healthy`` names every dependency of the list that
    should wait (the others keep ``service_started``, what the short form meant)."""
    fix = _service(svc.name, "depends_on:", f"  {dep.name}:", "    condition: service_healthy")
    lines, names = f.lines, {d.name for d in healthy}
    value = svc.data.get("depends_on")
    if isinstance(value, YList):
        edit = _list_edit(lines, svc, value, names) if value.line_at(0) == dep.line else None
    elif isinstance(value, YMap):
        edit = _condition_edit(lines, dep, value.get(dep.name))
    else:
        edit = None
    if edit is None:
        return remedy(fix)
    return remedy(fix, edit[0], line=dep.line, end_line=edit[1])


# ---- service keys ------------------------------------------------------------------------------

def healthcheck(f: SourceFile, svc: ComposeService) -> Remedy:
    """compose-no-healthcheck: a check that works in the service's image (inserted for datastores we know)."""
    lines, image = f.lines, svc.image
    test = health_test(image)
    if test is None:
        port = next((p.target for p in svc.port_mappings if p.target.isdigit()), "8000")
        test = http_check(image, f"http://localhost:{port}/healthz") or \
            ["CMD-SHELL", f"<a command that exits 0 once {svc.name} is ready>"]
        block = ["healthcheck:", f"  test: {json.dumps(test)}", "  interval: 10s", "  timeout: 3s", "  retries: 5"]
        return remedy(_service(svc.name, *block))
    block = ["healthcheck:", f"  test: {json.dumps(test)}", "  interval: 5s", "  timeout: 3s", "  retries: 10"]
    return remedy(_service(svc.name, *block), _insert(lines, svc, block), line=svc.line)


def restart(f: SourceFile, svc: ComposeService) -> Remedy:
    """compose-no-restart-policy: ``restart: unless-stopped`` on the service."""
    block = ["restart: unless-stopped"]
    return remedy(_service(svc.name, *block), _insert(f.lines, svc, block), line=svc.line)


def memory_limit(svc: ComposeService, like: ComposeService | None) -> Remedy:
    """compose-no-memory-limit: a limit, the size a sibling service already uses where there is one."""
    value = like.memory_limit if like is not None else "512M"
    note = f"   # `{like.name}` has {value}; size it to this service's peak" if like is not None else ""
    return remedy(_service(svc.name, "deploy:", "  resources:", "    limits:", f"      memory: {value}{note}"))


def pinned_image(svc: ComposeService) -> Remedy:
    """compose-image-mutable-tag: the real image with a tag left to pin."""
    return remedy(_service(svc.name, f"image: {with_pin(svc.image or '')}"))


def unprivileged(svc: ComposeService) -> Remedy:
    return remedy(_service(svc.name, "# instead of `privileged: true`:",
                           "cap_add: [NET_ADMIN]   # only the capability it really needs",
                           "security_opt: [no-new-privileges:true]"))


def socket_proxy(svc: ComposeService, source: str) -> Remedy:
    return remedy(_service(svc.name, f"# drop the `{source}` mount; talk to a filtering proxy instead:",
                           "environment:", "  DOCKER_HOST: tcp://docker-proxy:2375") + "\n" +
                  _service("docker-proxy", "image: tecnativa/docker-socket-proxy:0.2.0",
                           "environment: {CONTAINERS: 1, POST: 0}", "volumes:",
                           "  - /var/run/docker.sock:/var/run/docker.sock:ro"))


def bridge_network(svc: ComposeService) -> Remedy:
    return remedy(_service(svc.name, "# instead of `network_mode: host`:", "ports:",
                           '  - "127.0.0.1:8000:8000"   # only the ports it serves', "networks: [backend]"))


# ---- values on one line ------------------------------------------------------------------------

def _password_var(name: str) -> str:
    stem = re.sub(r"_(URL|URI|DSN|ADDR|ADDRESS)$", "", name.upper())
    return f"{stem}_PASSWORD" if "PASSWORD" not in stem else stem


def env_secret(f: SourceFile, var: EnvVar) -> Remedy:
    """compose-literal-secret: the value read from the environment (``.env``) instead of the file."""
    text = str(var.value).strip()
    url = URL_WITH_PASSWORD.search(text)
    if url is not None:
        ref = f"${{{_password_var(var.name)}}}"
        new_value = text[: url.start(1)] + ref + text[url.end(1):]
    else:
        new_value = f"${{{var.name}:?set {var.name} in .env}}"
    code, comment = split_comment(f.line_text(var.line))
    key = re.escape(var.name)
    m = re.match(rf"^(\s*)([\"']?){key}\2(\s*:\s*)(.+)$", code) or re.match(rf"^(\s*-\s*)([\"']?){key}(=)(.*)\2$", code)
    suggestion = None
    if m is not None and m.group(4).strip().strip("\"'") == text:
        lead, quote, sep = m.group(1), m.group(2), m.group(3)
        suggestion = f"{lead}{quote}{var.name}{quote}{sep}{new_value}{comment}" if sep != "=" else \
            f"{lead}{quote}{var.name}={new_value}{quote}{comment}"
    return remedy(f"environment:\n  {var.name}: {new_value}", suggestion, line=var.line)


def loopback_port(f: SourceFile, svc: ComposeService, port: PortMapping) -> Remedy:
    """compose-datastore-port-published: the same mapping bound to 127.0.0.1."""
    proto = "/" + port.text.rsplit("/", 1)[1] if "/" in port.text.rsplit(":", 1)[-1] else ""
    mapping = f"127.0.0.1:{port.published or ''}:{port.target}{proto}"
    fix = _service(svc.name, "ports:", f'  - "{mapping}"   # local tools only; or drop `ports:` entirely')
    code, comment = split_comment(f.line_text(port.line))
    m = re.match(r"^(\s*-\s*)([\"']?)([^\"']+)\2$", code)
    if m is None or m.group(3).strip() != port.text:
        return remedy(fix)
    return remedy(fix, f'{m.group(1)}"{mapping}"{comment}', line=port.line)


def check_with_tool(f: SourceFile, hc: Healthcheck, image: str | None, tool: str) -> Remedy:
    """compose-healthcheck-tool-missing: the same check with a tool the image has."""
    url = url_in(hc.command)
    check = http_check(image, url, without=tool) if url else None
    if check is None:
        return {}
    code, comment = split_comment(f.line_text(hc.line))
    m = re.match(r"^(\s*test:\s*)(.+)$", code)
    try:
        same = m is not None and yaml.safe_load(m.group(2)) == hc.test
    except yaml.YAMLError:
        same = False
    suggestion = f"{m.group(1)}{json.dumps(check)}{comment}" if same and m is not None else None
    return remedy(f"healthcheck:\n  test: {json.dumps(check)}", suggestion, line=hc.line)


def image_check(f: SourceFile, hc: Instruction, df: Dockerfile, stage: Stage, tool: str) -> Remedy:
    """compose-healthcheck-tool-missing, on the Dockerfile's own HEALTHCHECK."""
    return healthcheck_with(f.lines, hc, external_base(df, stage), tool)
