"""docker-compose rules: readiness between services, restarts, limits, tags, secrets, host access. Each
rule reads the file under review; where the answer lives elsewhere (a service's Dockerfile, an override
file in the same directory) it asks the compose index, built once per run. Fixes come from compose_fixes."""

from __future__ import annotations

from collections.abc import Iterator
from posixpath import basename

from reviewer.classify import FileKind
from reviewer.model import Category, Severity
from reviewer.project import SourceFile
from reviewer.rules.registry import Hit, RuleContext, Speaks, rule
from reviewer.sources import compose_fixes as fx
from reviewer.sources.compose import (
    ComposeFile,
    ComposeIndex,
    ComposeService,
    compose_index,
    resolve_default,
    volume_source,
)
from reviewer.sources.container import (
    TOOL_CALL,
    external_base,
    healthcheck_args,
    installs_tool,
    nearest,
    tool_missing_reason,
)
from reviewer.sources.devloop import built_here
from reviewer.sources.dockerfile import Dockerfile, Instruction, Stage
from reviewer.sources.images import is_mutable_image
from reviewer.sources.local_dev import DEV_FILE, PROD_FILE, is_datastore, is_local_compose, local_datastores
from reviewer.sources.secrets import literal_secret, url_host


def _file(f: SourceFile, ctx: RuleContext) -> tuple[ComposeIndex, ComposeFile] | None:
    index = compose_index(ctx.project)
    cf = index.files.get(f.path)
    return (index, cf) if cf is not None else None


def _dockerfile_stage(ctx: RuleContext, index: ComposeIndex, cf: ComposeFile,
                      svc: ComposeService) -> tuple[Dockerfile, Stage] | None:
    ref = index.dockerfile_of(cf, svc)
    src = ctx.project.get(ref.path) if ref is not None else None
    if src is None or src.kind is not FileKind.DOCKERFILE or ref is None:
        return None
    stage = src.dockerfile.stage_for(ref.target)
    return (src.dockerfile, stage) if stage is not None else None


def _image_healthcheck(ctx: RuleContext, index: ComposeIndex, cf: ComposeFile, name: str) -> Instruction | None:
    for owner, d in index.definitions(cf, name):
        built = _dockerfile_stage(ctx, index, owner, d)
        if built is not None:
            return nearest(built[0], built[1], "HEALTHCHECK")
    return None


@rule("compose-no-healthcheck", kinds={FileKind.COMPOSE}, category=Category.RESILIENCE, severity=Severity.WARNING,
      speaks=Speaks.AUDIT)
def no_healthcheck(f: SourceFile, ctx: RuleContext) -> Iterator[Hit]:
    """Dependency or datastore without a health check

    Why: without `healthcheck:` (or a HEALTHCHECK in its image) Compose cannot tell when the service
    is ready, so dependents start against a database that still refuses connections, and
    `condition: service_healthy` is impossible.

    Fix:
        db:
          image: postgres:16.3
          healthcheck:
            test: ["CMD-SHELL", "pg_isready -U $${POSTGRES_USER} -d $${POSTGRES_DB}"]
            interval: 5s
            timeout: 3s
            retries: 10
    """
    found = _file(f, ctx)
    if found is None:
        return
    index, cf = found
    dependents: dict[str, dict[str, None]] = {}  # a dict as an ordered set: one dependent can be listed twice
    for other in index.siblings(cf):
        for svc in other.services.values():
            for dep in svc.depends_on:
                if dep.condition != "service_completed_successfully":
                    dependents.setdefault(dep.name, {})[svc.name] = None
    for svc in cf.services.values():
        users = list(dependents.get(svc.name, {}))
        if svc.is_fragment or not (users or is_datastore(svc.image)):
            continue
        if any(d.healthcheck is not None for _, d in index.definitions(cf, svc.name)):
            continue
        if _image_healthcheck(ctx, index, cf, svc.name) is not None:
            continue
        why = f"`{'`, `'.join(users)}` depend{'s' if len(users) == 1 else ''} on it" if users \
            else f"it runs `{svc.image}`"
        yield Hit(svc.line, f"`{svc.name}` has no `healthcheck:` and {why}", **fx.healthcheck(f, svc))


@rule("compose-depends-on-not-healthy", kinds={FileKind.COMPOSE}, category=Category.RESILIENCE,
      severity=Severity.WARNING)
def depends_on_not_healthy(f: SourceFile, ctx: RuleContext) -> Iterator[Hit]:
    """`depends_on` waits for the container to start, not for the service to be ready

    Why: the API starts before Postgres accepts connections and crash-loops or serves 500s until it
    does; the list form of `depends_on` means `condition: service_started`.

    Fix:
        depends_on:
          db:
            condition: service_healthy
    """
    found = _file(f, ctx)
    if found is None:
        return
    index, cf = found
    for svc in cf.services.values():
        flagged = {}
        for dep in svc.depends_on:
            if dep.effective_condition != "service_started":
                continue
            defs = index.definitions(cf, dep.name)
            store = next((d.image for _, d in defs if is_datastore(d.image)), None)
            checked = any(d.healthcheck is not None and not d.healthcheck.disabled for _, d in defs)
            built = _image_healthcheck(ctx, index, cf, dep.name)
            checked = checked or (built is not None and healthcheck_args(built) != "")
            if not (store or checked):
                continue
            form = ("is listed without a condition" if not dep.long_form
                    else "uses `condition: service_started`" if dep.condition
                    else "has no `condition:` (the default is `service_started`)")
            what = f"runs `{store}`" if store else "has a health check"
            flagged[dep] = f"`{dep.name}` {form}, so `{svc.name}` does not wait for it; `{dep.name}` {what}"
        yield from (Hit(d.line, text, **fx.healthy_dependency(f, svc, d, set(flagged))) for d, text in flagged.items())


@rule("compose-no-restart-policy", kinds={FileKind.COMPOSE}, category=Category.RESILIENCE, severity=Severity.INFO,
      speaks=Speaks.AUDIT)
def no_restart_policy(f: SourceFile, ctx: RuleContext) -> Iterator[Hit]:
    """Long-running service without a restart policy

    Why: the default is `restart: "no"`, so a crash (an OOM kill, an unhandled exception at start
    while the database was down) leaves the service dead until someone notices.

    Fix:
        api:
          build: ./api
          restart: unless-stopped
    """
    found = _file(f, ctx)
    if found is None:
        return
    index, cf = found
    if DEV_FILE.search(basename(cf.path)):
        return  # local development: a crashed container is restarted by hand
    for svc in cf.services.values():
        if svc.is_fragment or index.runs_once(cf, svc):
            continue
        if any(d.restart_policy is not None for _, d in index.definitions(cf, svc.name)):
            continue
        yield Hit(svc.line, f"`{svc.name}` sets neither `restart:` nor `deploy.restart_policy`", **fx.restart(f, svc))


@rule("compose-no-memory-limit", kinds={FileKind.COMPOSE}, category=Category.RESILIENCE, severity=Severity.INFO,
      speaks=Speaks.AUDIT)
def no_memory_limit(f: SourceFile, ctx: RuleContext) -> Iterator[Hit]:
    """Service without a memory limit

    Why: one leaking worker can take all of the host's memory, and the kernel's OOM killer then
    picks a victim, often the database, instead of the service at fault.

    Fix:
        api:
          deploy:
            resources:
              limits:
                memory: 512M
    """
    found = _file(f, ctx)
    if found is None:
        return
    index, cf = found
    limited = [s.name for s in cf.services.values() if s.memory_limit is not None]
    if not (PROD_FILE.search(basename(cf.path)) or limited):
        return
    for svc in cf.services.values():
        if svc.memory_limit is not None or index.runs_once(cf, svc):
            continue
        defs = index.definitions(cf, svc.name)
        if any(d.memory_limit is not None for _, d in defs) or all(d.is_fragment for _, d in defs):
            continue
        where = f"unlike `{limited[0]}`" if limited else "in a production compose file"
        yield Hit(svc.line, f"`{svc.name}` has no `mem_limit` or `deploy.resources.limits.memory`, {where}",
                  **fx.memory_limit(svc, cf.services[limited[0]] if limited else None))


@rule("compose-image-mutable-tag", kinds={FileKind.COMPOSE}, category=Category.OPERABILITY,
      severity=Severity.WARNING)
def image_mutable_tag(f: SourceFile, ctx: RuleContext) -> Iterator[Hit]:
    """Image without a tag or on `:latest`

    Why: every `docker compose pull` may bring a different version (a new Postgres major will not
    even start on the old data directory), and nothing records what ran.

    Fix:
        db:
          image: postgres:16.3
    """
    found = _file(f, ctx)
    if found is None:
        return
    index, cf = found
    for svc in cf.services.values():
        if svc.image is None or any(d.build is not None for _, d in index.definitions(cf, svc.name)):
            continue
        if is_mutable_image(svc.image) and not built_here(ctx.project, svc.image):  # a sibling, Tilt, Skaffold
            yield Hit(svc.key_line("image"), f"`{svc.image}` is not pinned to a version", **fx.pinned_image(svc))


@rule("compose-literal-secret", kinds={FileKind.COMPOSE}, category=Category.SECURITY, severity=Severity.ERROR,
      equivalents=("CKV_SECRET_4",))
def literal_secret_in_env(f: SourceFile, ctx: RuleContext) -> Iterator[Hit]:
    """Secret written into the compose file

    Why: the value is now in git history for everyone with read access, shared by every
    environment that uses the file, and cannot be rotated without a commit. Well-known defaults
    (`postgres`, `changeme`, a password equal to its user) are not secrets; a password for a
    datastore the file starts itself, or in a local-development file, is a warning.

    Fix:
        environment:
          POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD in .env}
          DATABASE_URL: postgresql+asyncpg://app:${POSTGRES_PASSWORD}@db:5432/app
    """
    found = _file(f, ctx)
    if found is None:
        return
    index, cf = found
    local_file, stores = is_local_compose(index, cf), local_datastores(index, cf)
    for svc in cf.services.values():
        env = {var.name: var.value for var in svc.environment}
        for var in svc.environment:
            reason = literal_secret(var.name, var.value, env)
            if not reason:
                continue
            local = local_file or svc.name in stores or url_host(str(var.value)) in stores
            where = " (local development only)" if local_file else ", for a datastore this file starts" if local else ""
            yield Hit(var.line, reason + where, severity=Severity.WARNING if local else None, **fx.env_secret(f, var))


@rule("compose-privileged", kinds={FileKind.COMPOSE}, category=Category.SECURITY, severity=Severity.ERROR,
      equivalents=("privileged-service",))
def privileged(f: SourceFile, ctx: RuleContext) -> Iterator[Hit]:
    """Privileged container

    Why: `privileged: true` gives the container every capability and all host devices; a
    compromise of the service is a compromise of the host.

    Fix:
        worker:
          cap_add: [NET_ADMIN]   # only the capability it really needs
          security_opt: [no-new-privileges:true]
    """
    found = _file(f, ctx)
    if found is None:
        return
    for svc in found[1].services.values():
        if svc.privileged:
            yield Hit(svc.key_line("privileged"), f"`{svc.name}` runs privileged", **fx.unprivileged(svc))


@rule("compose-docker-socket-mount", kinds={FileKind.COMPOSE}, category=Category.SECURITY, severity=Severity.ERROR,
      equivalents=("exposing-docker-socket-volume",))
def docker_socket_mount(f: SourceFile, ctx: RuleContext) -> Iterator[Hit]:
    """Docker socket mounted into a container

    Why: whoever talks to `/var/run/docker.sock` can start a privileged container with the host's
    root file system mounted; `:ro` does not help, since it only protects the socket file, not the API.

    Fix:
        # drop the mount; if the service must read container events, put a filtering proxy in front:
        docker-proxy:
          image: tecnativa/docker-socket-proxy:0.2.0
          environment: {CONTAINERS: 1, POST: 0}
    """
    found = _file(f, ctx)
    if found is None:
        return
    for svc in found[1].services.values():
        for item in svc.volumes:
            source = volume_source(item)
            resolved = resolve_default(source) if source else None
            if resolved and resolved.rstrip("/").endswith("docker.sock"):
                yield Hit(item.line, f"`{svc.name}` mounts `{source}`", **fx.socket_proxy(svc, source))


@rule("compose-datastore-port-published", kinds={FileKind.COMPOSE}, category=Category.BOUNDARIES,
      severity=Severity.WARNING)
def datastore_port_published(f: SourceFile, ctx: RuleContext) -> Iterator[Hit]:
    """Datastore port published on every interface

    Why: other services reach the database over the compose network by name; publishing its port
    opens it to the LAN (Docker's iptables rules bypass ufw), and invites other teams' code to
    connect to a database that belongs to one service.

    Fix:
        db:
          image: postgres:16.3
          ports:
            - "127.0.0.1:5432:5432"   # local tools only; or drop `ports:` entirely
    """
    found = _file(f, ctx)
    if found is None:
        return
    index, cf = found
    for svc in cf.services.values():
        image = index.image_of(cf, svc.name)
        if not is_datastore(image):
            continue
        for port in svc.port_mappings:
            if not port.loopback_only and not port.unknown_ip:
                yield Hit(port.line, f"`{image}` port `{port.text}` is published on all interfaces",
                          **fx.loopback_port(f, svc, port))


@rule("compose-network-mode-host", kinds={FileKind.COMPOSE}, category=Category.SECURITY, severity=Severity.WARNING)
def network_mode_host(f: SourceFile, ctx: RuleContext) -> Iterator[Hit]:
    """Container shares the host's network

    Why: `network_mode: host` removes network isolation: every port the service opens is open on
    the host, it can reach services bound to the host's localhost, and compose DNS names stop working.

    Fix:
        api:
          ports:
            - "8000:8000"
          networks: [backend]
    """
    found = _file(f, ctx)
    if found is None:
        return
    for svc in found[1].services.values():
        if svc.network_mode == "host":
            yield Hit(svc.key_line("network_mode"), f"`{svc.name}` uses the host network", **fx.bridge_network(svc))


@rule("compose-healthcheck-tool-missing", kinds={FileKind.COMPOSE, FileKind.DOCKERFILE},
      category=Category.RESILIENCE, severity=Severity.WARNING)
def healthcheck_tool_missing(f: SourceFile, ctx: RuleContext) -> Iterator[Hit]:
    """Health check calls a tool the image does not have

    Why: `python:3.12-slim` has neither `curl` nor `wget`, Alpine has no `curl` and distroless has
    no shell at all. The check then fails forever: the container never becomes healthy and every
    `service_healthy` dependent never starts.

    Fix:
        # install the tool in the final stage ...
        RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
        # ... or check with the Python the image already has
        HEALTHCHECK CMD ["python", "-c", \\
          "import urllib.request; urllib.request.urlopen('http://localhost:8000/healthz', timeout=2)"]
    """
    if f.kind is FileKind.DOCKERFILE:
        yield from _dockerfile_tool_missing(f)
        return
    found = _file(f, ctx)
    if found is None:
        return
    index, cf = found
    for svc in cf.services.values():
        hc = svc.healthcheck
        if hc is None or hc.disabled:
            continue
        for tool in dict.fromkeys(TOOL_CALL.findall(hc.command)):
            built = _dockerfile_stage(ctx, index, cf, svc)
            if built is not None:
                reason = tool_missing_reason(external_base(*built), tool)
                if reason and not installs_tool(*built, tool):
                    yield Hit(hc.line, f"{reason}, and its Dockerfile does not install `{tool}`",
                              **fx.check_with_tool(f, hc, external_base(*built), tool))
                    break
            elif svc.build is None and svc.image and (reason := tool_missing_reason(svc.image, tool)):
                yield Hit(hc.line, reason, **fx.check_with_tool(f, hc, svc.image, tool))
                break


def _dockerfile_tool_missing(f: SourceFile) -> Iterator[Hit]:
    df = f.dockerfile
    stage = df.final
    hc = nearest(df, stage, "HEALTHCHECK") if stage is not None else None
    if stage is None or hc is None:
        return
    for tool in dict.fromkeys(TOOL_CALL.findall(healthcheck_args(hc))):
        reason = tool_missing_reason(external_base(df, stage), tool)
        if reason and not installs_tool(df, stage, tool):
            yield Hit(hc.line, f"{reason}, and no RUN installs `{tool}`", **fx.image_check(f, hc, df, stage, tool))
            return
