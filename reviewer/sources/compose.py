"""A typed view over docker-compose files, and an index joining services to their Dockerfiles.

Only the keys rules read are typed; every value keeps the line of its key (or list item), so a
finding lands on the offending line. Anything of an unexpected shape is skipped, never raised:
compose files in a PR are often half-written.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from reviewer.classify import FileKind
from reviewer.sources.yaml_docs import YamlDoc, YList, YMap

if TYPE_CHECKING:
    from reviewer.project import Project

_ONE_SHOT_NAME = re.compile(
    r"(?i)migrat|playwright|cypress|(^|[-_])(init|setup|seed|bootstrap|provision|tests?|e2e|wait)([-_]|$)")
_ONE_SHOT_COMMAND = re.compile(r"alembic\s+upgrade|\bmigrate\b|\bpytest\b|\bseed\b")
_VAR = re.compile(r"^\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?-)(?P<default>[^}]*))?\}$")


@dataclass(frozen=True)
class Item:
    """One entry of a list-valued key (a port, a volume) with its line."""

    value: Any
    line: int


@dataclass(frozen=True)
class Dependency:
    name: str
    line: int
    condition: str | None  # None in the list form, which means service_started
    long_form: bool

    @property
    def effective_condition(self) -> str:
        return self.condition or "service_started"


@dataclass(frozen=True)
class EnvVar:
    name: str
    value: Any  # None: passed through from the host shell (`- NAME` or `NAME:`)
    line: int


@dataclass(frozen=True)
class Healthcheck:
    test: Any  # list ["CMD", ...] / ["CMD-SHELL", "..."] / a shell string / None
    line: int  # the `test:` line, else the `healthcheck:` line
    disabled: bool

    @property
    def command(self) -> str:
        """The command the check runs, as one string (exec arguments joined by spaces)."""
        test = self.test
        if isinstance(test, str):
            return test
        if isinstance(test, list) and test:
            words = [str(w) for w in test]
            return " ".join(words[1:] if words[0] in ("CMD", "CMD-SHELL") else words)
        return ""


@dataclass(frozen=True)
class Build:
    context: str
    dockerfile: str
    target: str | None
    line: int
    inline: bool = False  # `dockerfile_inline:` has no file to read


@dataclass(frozen=True)
class PortMapping:
    text: str
    host_ip: str | None  # None: every interface
    published: str | None  # host port; None: an ephemeral one
    target: str
    line: int
    unknown_ip: bool = False  # the host IP is a variable without a default

    @property
    def loopback_only(self) -> bool:
        ip = (self.host_ip or "").strip("[]")
        return ip.startswith("127.") or ip in ("::1", "localhost")


@dataclass
class ComposeService:
    name: str
    line: int  # the line of the service's name key
    data: YMap
    image: str | None = None
    build: Build | None = None
    depends_on: list[Dependency] = field(default_factory=list)
    healthcheck: Healthcheck | None = None
    environment: list[EnvVar] = field(default_factory=list)
    ports: list[Item] = field(default_factory=list)
    volumes: list[Item] = field(default_factory=list)
    restart: str | None = None
    deploy: YMap | None = None
    mem_limit: Any = None
    network_mode: str | None = None
    privileged: bool = False

    def key_line(self, key: str) -> int:
        return self.data.line_of(key, self.line)

    @property
    def is_fragment(self) -> bool:
        """An override that only adds keys to a service defined elsewhere (no image/build/extends)."""
        return not any(k in self.data for k in ("image", "build", "extends"))

    @property
    def memory_limit(self) -> Any:
        limits = _get(self.deploy, "resources", "limits")
        return self.mem_limit if self.mem_limit is not None else _get(limits, "memory")

    @property
    def restart_policy(self) -> Any:
        return self.restart if self.restart is not None else _get(self.deploy, "restart_policy")

    @property
    def port_mappings(self) -> list[PortMapping]:
        return [m for item in self.ports if (m := parse_port(item)) is not None]


@dataclass
class ComposeFile:
    path: str
    services: dict[str, ComposeService] = field(default_factory=dict)

    @property
    def directory(self) -> str:
        return posixpath.dirname(self.path)


def _get(data: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def parse_compose(path: str, docs: list[YamlDoc]) -> ComposeFile:
    """The services of the first mapping document; an empty file when there are none."""
    out = ComposeFile(path)
    top = next((d.data for d in docs if isinstance(d.data, YMap)), None)
    services = top.get("services") if top is not None else None
    if not isinstance(services, YMap):
        return out
    for name, body in services.items():
        if isinstance(body, YMap):
            out.services[str(name)] = _service(str(name), services.line_of(name), body)
    return out


def _service(name: str, line: int, data: YMap) -> ComposeService:
    svc = ComposeService(name, line, data)
    svc.image = _str(data.get("image"))
    svc.build = _build(data)
    svc.depends_on = list(_depends_on(data.get("depends_on")))
    svc.healthcheck = _healthcheck(data)
    svc.environment = list(_environment(data.get("environment")))
    svc.ports = _items(data.get("ports"))
    svc.volumes = _items(data.get("volumes"))
    svc.restart = None if data.get("restart") is None else str(data.get("restart"))
    svc.deploy = data.get("deploy") if isinstance(data.get("deploy"), YMap) else None
    svc.mem_limit = data.get("mem_limit")
    svc.network_mode = _str(data.get("network_mode"))
    svc.privileged = data.get("privileged") is True or str(data.get("privileged")).lower() == "true"
    return svc


def _build(data: YMap) -> Build | None:
    build = data.get("build")
    line = data.line_of("build")
    if isinstance(build, str):
        return Build(build, "Dockerfile", None, line)
    if isinstance(build, YMap):
        return Build(str(build.get("context") or "."), str(build.get("dockerfile") or "Dockerfile"),
                     _str(build.get("target")), line, inline="dockerfile_inline" in build)
    return None


def _depends_on(value: Any) -> Iterator[Dependency]:
    if isinstance(value, YList):
        for i, name in enumerate(value):
            if isinstance(name, str):
                yield Dependency(name, value.line_at(i), None, False)
    elif isinstance(value, YMap):
        for name, spec in value.items():
            condition = _str(spec.get("condition")) if isinstance(spec, dict) else None
            yield Dependency(str(name), value.line_of(name), condition, True)


def _healthcheck(data: YMap) -> Healthcheck | None:
    hc = data.get("healthcheck")
    if not isinstance(hc, YMap):
        return None
    test = hc.get("test")
    disabled = hc.get("disable") is True or (isinstance(test, list) and test[:1] == ["NONE"])
    return Healthcheck(test, hc.line_of("test", data.line_of("healthcheck")), disabled)


def _environment(value: Any) -> Iterator[EnvVar]:
    if isinstance(value, YMap):
        for name, val in value.items():
            yield EnvVar(str(name), val, value.line_of(name))
    elif isinstance(value, YList):
        for i, entry in enumerate(value):
            if isinstance(entry, str) and entry.strip():
                name, eq, val = entry.partition("=")
                yield EnvVar(name.strip(), val if eq else None, value.line_at(i))


def _items(value: Any) -> list[Item]:
    if isinstance(value, YList):
        return [Item(v, value.line_at(i)) for i, v in enumerate(value)]
    return []


def resolve_default(text: str) -> str | None:
    """``${X:-default}`` -> ``default``; None when the value depends on the environment alone."""
    m = _VAR.match(text.strip())
    if m is None:
        return None if "$" in text else text
    return m.group("default") if m.group("op") else None


def parse_port(item: Item) -> PortMapping | None:
    """Short (``[IP:][HOST:]CONTAINER[/proto]``) or long (``target``/``published``/``host_ip``) syntax."""
    value = item.value
    if isinstance(value, int) and not isinstance(value, bool):
        return PortMapping(str(value), None, None, str(value), item.line)
    if isinstance(value, dict):
        ip = value.get("host_ip")
        ip_text = None if ip is None else str(ip)
        resolved = resolve_default(ip_text) if ip_text else None
        published = value.get("published")
        pub = None if published is None else str(published)
        target = str(value.get("target", ""))
        return PortMapping(f"{pub}:{target}" if pub else target, resolved, pub, target, item.line,
                           unknown_ip=bool(ip_text) and resolved is None)
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    body = text.rsplit("/", 1)[0] if "/" in text.rsplit(":", 1)[-1] else text
    ip: str | None = None
    if body.startswith("["):  # [::1]:5432:5432
        ip, _, body = body[1:].partition("]")
        body = body.lstrip(":")
    elif body.startswith("${"):  # ${BIND:-127.0.0.1}:5432:5432
        end = body.find("}")
        ip, body = body[: end + 1], body[end + 2:]
    parts = body.split(":")
    if ip is None and len(parts) > 2:
        ip, parts = ":".join(parts[:-2]), parts[-2:]
    target = parts[-1]
    published = parts[0] if len(parts) == 2 and parts[0] else None
    unknown = False
    if ip is not None and "$" in ip:
        resolved = resolve_default(ip)
        unknown, ip = resolved is None, resolved
    return PortMapping(text, ip or None, published, target, item.line, unknown_ip=unknown)


def volume_source(item: Item) -> str | None:
    """The host side of a bind mount or the named volume; None for an anonymous volume."""
    value = item.value
    if isinstance(value, dict):
        return _str(value.get("source"))
    if not isinstance(value, str):
        return None
    if value.startswith("${") and "}" in value:  # ${SOCK:-/var/run/docker.sock}:/var/run/docker.sock
        end = value.index("}") + 1
        return value[:end] if value[end:].startswith(":") else None
    parts = value.split(":")
    if len(parts) >= 2 and len(parts[0]) == 1 and parts[0].isalpha():  # C:\path:/target on Windows
        return f"{parts[0]}:{parts[1]}"
    return parts[0] if len(parts) >= 2 else None


@dataclass(frozen=True)
class DockerfileRef:
    path: str  # repository path of the Dockerfile
    target: str | None  # the build stage compose builds (None: the final one)


class ComposeIndex:
    """Every compose file of the tree, with builds resolved to repository paths of Dockerfiles."""

    def __init__(self, files: dict[str, ComposeFile]) -> None:
        self.files = files
        self._by_dir: dict[str, list[ComposeFile]] = {}
        for cf in files.values():
            self._by_dir.setdefault(cf.directory, []).append(cf)
        self._users: dict[str, list[tuple[ComposeFile, ComposeService, DockerfileRef]]] = {}
        self._completed: dict[str, set[str]] = {}
        for cf in files.values():
            for svc in cf.services.values():
                ref = self.dockerfile_of(cf, svc)
                if ref is not None:
                    self._users.setdefault(ref.path, []).append((cf, svc, ref))

    @classmethod
    def build(cls, project: Project) -> ComposeIndex:
        return cls({f.path: parse_compose(f.path, f.yaml_docs) for f in project.of_kind(FileKind.COMPOSE)})

    @staticmethod
    def dockerfile_of(cf: ComposeFile, svc: ComposeService) -> DockerfileRef | None:
        b = svc.build
        if b is None or b.inline or "://" in b.context or b.context.startswith("git@") or "$" in b.context:
            return None
        context = posixpath.join(cf.directory, b.context)
        path = posixpath.normpath(posixpath.join(context, b.dockerfile))
        if path.startswith("../") or path == ".." or posixpath.isabs(b.dockerfile):
            return None
        return DockerfileRef(path, b.target)

    def users_of(self, dockerfile_path: str) -> list[tuple[ComposeFile, ComposeService, DockerfileRef]]:
        """The compose services that build this Dockerfile."""
        return self._users.get(dockerfile_path, [])

    def siblings(self, cf: ComposeFile) -> list[ComposeFile]:
        """Compose files in the same directory (overrides merge into each other), this one first."""
        return [cf, *(o for o in self._by_dir.get(cf.directory, []) if o is not cf)]

    def definitions(self, cf: ComposeFile, name: str) -> list[tuple[ComposeFile, ComposeService]]:
        """Every definition of service ``name`` visible from ``cf``, following ``extends`` in one file."""
        out: list[tuple[ComposeFile, ComposeService]] = []
        for other in self.siblings(cf):
            svc = other.services.get(name)
            seen: set[str] = set()
            while svc is not None and svc.name not in seen:
                out.append((other, svc))
                seen.add(svc.name)
                ext = svc.data.get("extends")
                base = ext if isinstance(ext, str) else _str(_get(ext, "service"))
                svc = other.services.get(base) if base and not _get(ext, "file") else None
        return out

    def runs_once(self, cf: ComposeFile, svc: ComposeService) -> bool:
        """A job, test runner or optional tool rather than a long-running service (by name, command, use)."""
        command = svc.data.get("command")
        text = " ".join(map(str, command)) if isinstance(command, list) else str(command or "")
        if _ONE_SHOT_NAME.search(svc.name) or _ONE_SHOT_COMMAND.search(text) or "profiles" in svc.data:
            return True
        return svc.name in self._run_to_completion(cf.directory)

    def _run_to_completion(self, directory: str) -> set[str]:
        """Services that others in this directory wait on with ``service_completed_successfully``."""
        if directory not in self._completed:
            self._completed[directory] = {dep.name for other in self._by_dir.get(directory, [])
                                          for s in other.services.values() for dep in s.depends_on
                                          if dep.condition == "service_completed_successfully"}
        return self._completed[directory]

    def image_of(self, cf: ComposeFile, name: str) -> str | None:
        """The image of service ``name``, also when this file only overrides it."""
        return next((svc.image for _, svc in self.definitions(cf, name) if svc.image), None)


def compose_index(project: Project) -> ComposeIndex:
    return project.memo("compose-index", lambda: ComposeIndex.build(project))  # type: ignore[return-value]


def parse_dotenv(lines: list[str]) -> dict[str, str]:
    """``KEY=value`` lines of a ``.env`` file, as compose reads them for ``${KEY}``."""
    out: dict[str, str] = {}
    for raw in lines:
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.removeprefix("export ").partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        elif " #" in value:
            value = value.split(" #", 1)[0].rstrip()
        out[key.strip()] = value
    return out
