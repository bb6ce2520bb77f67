"""Where a service's connections point: database DSNs and http(s) URLs, host names, ``${VAR}``
expansion, and the endpoints read from a service's env vars and code (part of the service model)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from reviewer.services.model import LOCAL_HOSTS, DbEndpoint, OutboundUrl, Service, ServiceModel, canonical_host

_DSN_VAR = re.compile(r"(?i)(DATABASE_UR[LI]|DB_UR[LI]|_DSN$|^DSN$|SQLALCHEMY_DATABASE_URI|MONGO(DB)?_UR[LI])")
_DB_HOST_VAR = re.compile(r"(?i)^(\w+_)?(DB|DATABASE|POSTGRES|PG|MYSQL|MARIADB|MONGO)_HOST(NAME)?$")
_DB_NAME_VAR = re.compile(r"(?i)^(\w+_)?(DB|DATABASE|POSTGRES|PG|MYSQL|MARIADB|MONGO)_(NAME|DB|DATABASE)$|^PGDATABASE$")
_DB_PORT_VAR = re.compile(r"(?i)^(\w+_)?(DB|DATABASE|POSTGRES|PG|MYSQL|MARIADB|MONGO)_PORT$")
# env URLs that point somewhere for the browser or for callbacks, not calls this service makes; a
# bare address (``FRONTEND_ADDR=frontend:80``) is never a browser's, so only the rest rule it out
_NOT_A_CALL_VAR = re.compile(r"(?i)FRONTEND|ORIGIN|CORS|ALLOWED|REDIRECT|CALLBACK|WEBHOOK|ISSUER|JWKS")
_NOT_A_CALL_ADDRESS_VAR = re.compile(r"(?i)PUBLIC|EXTERNAL|ADVERTISE|SELF|OTEL|OTLP|JAEGER|ZIPKIN|SENTRY|"
                                     r"PROMETHEUS|LOKI|TEMPO")
_ADDRESS_VAR = re.compile(r"(?i)(_ADDR|_ADDRESS|_ENDPOINT|_TARGET|_GRPC_URL|_HOST)$")
_ADDRESS_VALUE = re.compile(r"(?:dns:///?)?([A-Za-z0-9][A-Za-z0-9.-]*):?(\d{2,5})?$")
_DEFAULT_PORTS = {"postgresql": 5432, "mysql": 3306, "mariadb": 3306, "mongodb": 27017, "mssql": 1433,
                  "oracle": 1521, "cockroachdb": 26257}
_SCHEMES = {"postgres": "postgresql", "postgresql": "postgresql", "pgsql": "postgresql", "mysql": "mysql",
            "mariadb": "mariadb", "mongodb": "mongodb", "mongodb+srv": "mongodb", "mssql": "mssql",
            "oracle": "oracle", "cockroachdb": "cockroachdb", "timescaledb": "postgresql"}
_VAR_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)")


def expand_vars(value: str, env: dict[str, str]) -> str:
    """Compose-style ``${VAR}``, ``${VAR:-default}``, ``$VAR`` from ``env``; unknown ones stay."""
    def sub(m: re.Match) -> str:
        name = m.group(1) or m.group(4)
        op, arg = m.group(2), m.group(3) or ""
        val = env.get(name)
        if op in (":-", "-"):
            if val is None or (op == ":-" and val == ""):
                return arg
            return val
        if op in (":+", "+"):
            return arg if val else ""
        return val if val is not None else m.group(0)
    return _VAR_REF.sub(sub, value)


def parse_dsn(url: str) -> tuple[str, str, int | None, str] | None:
    """(scheme, host, port, database) of a database DSN, or None (sqlite, templated, no host)."""
    url = url.strip()
    if url.startswith("jdbc:"):
        url = url[5:]
    if "://" not in url:
        return None
    scheme = url.split("://", 1)[0].lower().split("+", 1)[0]
    scheme = _SCHEMES.get(scheme, "")
    if not scheme:
        return None
    try:
        parts = urlsplit(url)
        host = parts.hostname
        port = parts.port
    except ValueError:
        return None
    database = parts.path.lstrip("/").split("/", 1)[0]
    if not host or "$" in url.split("@")[-1] or "{" in (host + database) or not database:
        return None
    if host in LOCAL_HOSTS:
        return None
    return scheme, canonical_host(host), port or _DEFAULT_PORTS.get(scheme), database


def parse_http_url(url: str) -> tuple[str, int | None, str] | None:
    """(host, port, path) of an http(s) URL with a concrete host, else None."""
    if not url.startswith(("http://", "https://")):
        return None
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError:
        return None
    if not host or "$" in host or "{" in host:
        return None
    return host, port, parts.path or "/"


def _address(name: str, value: str) -> tuple[str, int | None, str] | None:
    """``PRODUCT_CATALOG_SERVICE_ADDR=productcatalog:3550``: a gRPC or TCP address of a service,
    (host, port, "/"), for variables named as addresses; brokers and lists are not calls."""
    m = _ADDRESS_VALUE.match(value.strip())
    if not m or not _ADDRESS_VAR.search(name) or _DB_HOST_VAR.match(name) or m.group(1).lower() in LOCAL_HOSTS:
        return None
    return m.group(1), int(m.group(2)) if m.group(2) else None, "/"


def add_endpoints(s: Service, model: ServiceModel) -> None:
    """Database endpoints and outbound URLs from env vars and code."""
    hosts, names, ports = {}, {}, {}
    for var in s.env:
        if var.value is None:
            continue
        if _DSN_VAR.search(var.name):
            dsn = parse_dsn(var.value)
            if dsn:
                s.found_databases.append(DbEndpoint(*dsn, var.name, var.path, var.line))
                continue
        if _DB_HOST_VAR.match(var.name):
            hosts[var.path] = var
        elif _DB_NAME_VAR.match(var.name):
            names[var.path] = var
        elif _DB_PORT_VAR.match(var.name):
            ports[var.path] = var
        url = parse_http_url(var.value)
        if url is not None and _NOT_A_CALL_VAR.search(var.name):
            url = None
        elif url is None:
            url = _address(var.name, var.value)
        if url and not _NOT_A_CALL_ADDRESS_VAR.search(var.name):
            s.found_urls.append(OutboundUrl(var.value, canonical_host(url[0]), url[1], url[2], var.path, var.line,
                                            "env", var.name, url[0].lower()))
    for path, name_var in names.items():
        host_var = hosts.get(path)
        if host_var is None or not host_var.value or "$" in host_var.value + (name_var.value or ""):
            continue
        if host_var.value in LOCAL_HOSTS or not name_var.value:
            continue
        port_var = ports.get(path)
        port = int(port_var.value) if port_var and (port_var.value or "").isdigit() else None
        datastore = model.datastore_hosts.get(canonical_host(host_var.value))
        scheme = "mysql" if datastore and "mysql" in datastore.image else "postgresql"
        s.found_databases.append(DbEndpoint(scheme, canonical_host(host_var.value), port or _DEFAULT_PORTS[scheme],
                                      name_var.value, name_var.name, name_var.path, name_var.line))
    for facts in s.facts(model):
        for lit in facts.dsn_literals:
            dsn = parse_dsn(lit.value)
            if dsn:
                var = lit.name.upper() if lit.name else "create_engine"
                s.found_databases.append(DbEndpoint(*dsn, var, facts.path, lit.line))
        for lit in facts.url_literals:
            url = parse_http_url(lit.value)
            if url:
                s.found_urls.append(OutboundUrl(lit.value, canonical_host(url[0]), url[1], url[2], facts.path, lit.line,
                                                "code", None, url[0].lower()))
