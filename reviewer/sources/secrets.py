"""Which names hold secrets and which values are committed secrets: one classifier for the
Kubernetes, compose, Dockerfile and FastAPI rules."""

from __future__ import annotations

import re
from collections.abc import Mapping
from itertools import pairwise

# the user may be empty: redis://:s3cret@cache:6379/0 carries a password too
URL_WITH_PASSWORD = re.compile(r"\b[a-z][a-z0-9+.-]*://[^/\s:@]*:([^/\s@]+)@")
ENV_REFERENCE = re.compile(r"^\$\{?[A-Za-z_][A-Za-z0-9_]*(:?[-?][^}]*)?\}?$")
K8S_REFERENCE = re.compile(r"^\$\([A-Za-z_][A-Za-z0-9_]*\)$")  # $(VAR), expanded by the kubelet


def is_literal_secret(value: object) -> bool:
    """A non-empty literal that is not a ``${VAR}`` reference or an obvious placeholder."""
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        return False
    text = str(value).strip()
    return bool(text) and not ENV_REFERENCE.match(text) and not is_placeholder(text)


# Values every tutorial, image README and local setup uses: nobody's secret. Single words, and
# values made only of such words (dev-secret, test_password, change-me-please, your-api-key-here).
_WELL_KNOWN = {"changeme", "password", "passwd", "pass", "pwd", "secret", "secrets", "dev", "development", "test",
               "testing", "local", "example", "sample", "demo", "default", "dummy", "fake", "mock", "placeholder",
               "todo", "postgres", "postgresql", "mysql", "mariadb", "mongo", "mongodb", "redis", "rabbitmq", "root",
               "admin", "administrator", "guest", "user", "username", "minioadmin", "keycloak", "mysecretpassword",
               "password1", "password123", "pass123", "admin123", "secret123", "test123", "123456", "12345678",
               "qwerty", "none", "null", "nil", "empty", "x", "xxx", "token", "key", "apikey", "notasecret"}
_FILLER = {"change", "me", "replace", "your", "my", "a", "the", "here", "value", "please", "do", "not", "use",
           "only", "for", "in", "super", "very", "insecure", "unsafe", "api", "jwt", "access", "signing",
           "private", "client", "db", "database", "app", "ci", "set", "this", "it", "to", "some",
           "env", "docker", "compose", "of"}
# a vendor prefix before a placeholder is still a placeholder: xoxb-test, sk_test_xxx, ghp_your_token
_VENDOR_PREFIX = re.compile(r"^(xox[abposr]-|xapp-|sk_(live|test)_|rk_(live|test)_|pk_(live|test)_|sk-ant-|sk-|"
                            r"gh[pousr]_|github_pat_|glpat-|SG\.|AKIA|ASIA)", re.I)


def is_placeholder(value: str, user: str | None = None) -> bool:
    """A value nobody would guard: a well-known placeholder or local-development default
    (``changeme``, ``postgres``, ``dev-secret``, ``xoxb-test``, ``<secret>``), or a password equal
    to the user name it goes with (``guest``/``guest``)."""
    text = value.strip().strip("\"'")
    if not text or _PLACEHOLDERS.match(text) or _SUBSTITUTED.match(text):
        return True
    if user is not None and text.lower() == user.strip().lower():
        return True
    body = _VENDOR_PREFIX.sub("", text, count=1)
    words = [w for w in re.split(r"[^A-Za-z0-9]+", body.lower()) if w]
    if not words or all(set(w) <= {"x"} or set(w) <= {"0"} for w in words):
        return True
    return any(w in _WELL_KNOWN for w in words) and all(w in _WELL_KNOWN or w in _FILLER for w in words)


_SECRET_WORDS = {"pass", "password", "passwords", "passwd", "passphrase", "secret", "secrets", "token",
                 "tokens", "apikey", "credential", "credentials", "privatekey"}
_SECRET_PAIRS = {("api", "key"), ("private", "key"), ("access", "key"), ("signing", "key"), ("encryption", "key")}
_NOT_SECRET_LAST = {"file", "path", "dir", "expire", "expires", "expiry", "expiration", "ttl", "minutes",
                    "seconds", "hours", "days", "length", "len", "algorithm", "alg", "header", "name", "type",
                    "url", "uri", "endpoint", "host", "port", "enabled", "enable", "required", "policy", "min",
                    "max", "issuer", "audience", "scope", "scopes", "prefix", "version", "lifetime", "timeout",
                    "location", "mode", "method", "id", "user", "username", "format", "backend", "provider"}
_FLAG_VALUES = {"true", "false", "yes", "no", "on", "off", "none", "null", "1", "0"}
_PLACEHOLDERS = re.compile(r"(?i)^(<.*>|\{\{.*\}\}|change[-_]?me|replace[-_]?me|placeholder|dummy|todo|x+|\*+)$")
# substituted before deploy (sed, envsubst, CI): GOOGLE_API_KEY_VAL, <your-api-key>, __TOKEN__, {token}
_SUBSTITUTED = re.compile(r"^([A-Z][A-Z0-9]*(_[A-Z0-9]+)+|<[^<>]+>|__\w+__|\{[^{}]+\})$")


def _words(name: str) -> list[str]:
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    return [w for w in re.split(r"[^A-Za-z0-9]+", spaced.lower()) if w]


def is_secret_key(name: str) -> bool:
    """A variable name that holds a secret (DB_PASSWORD, jwtSecret), not one about it (TOKEN_TTL)."""
    words = _words(name)
    if not words or words[-1] in _NOT_SECRET_LAST:
        return False
    return any(w in _SECRET_WORDS for w in words) or any(p in _SECRET_PAIRS for p in pairwise(words))


def is_committed_value(text: str) -> bool:
    """A value written into the file as it is: not a reference, a placeholder, a flag or a path."""
    if text.isdigit() and len(text) < 4:  # a count or a flag, not a credential
        return False
    return is_literal_secret(text) and not _PLACEHOLDERS.match(text) and text.lower() not in _FLAG_VALUES \
        and not text.startswith(("/", "./", "~/")) and not _SUBSTITUTED.match(text) and "$(" not in text


def url_host(text: str) -> str | None:
    """The host of ``scheme://[user[:password]@]host[:port]/...``, lower-cased; None when there is none."""
    m = re.match(r"^[a-z][a-z0-9+.-]*://(?:[^/\s@]*@)?([^/\s:@?#]+)", text.strip(), re.I)
    return m.group(1).lower() if m else None


def url_password(text: str) -> str | None:
    """The inline password of a URL (``amqp://app:s3cret@broker``) unless it is a reference
    (``$(DB_PASSWORD)``, ``${PW}``, ``{password}``) or a placeholder, such as the user name again."""
    m = URL_WITH_PASSWORD.search(text)
    if m is None or "$" in m.group(1) or "{" in m.group(1):
        return None
    user = m.group(0).split("://", 1)[1].split(":", 1)[0]
    return None if is_placeholder(m.group(1), user) else m.group(1)


def user_of(name: str, env: Mapping[str, object]) -> str | None:
    """The user name that goes with password variable ``name`` in the same environment:
    POSTGRES_USER for POSTGRES_PASSWORD, RABBITMQ_DEFAULT_USER for RABBITMQ_DEFAULT_PASS."""
    stem = re.sub(r"(?i)(_?)(password|passwd|pass|pwd)$", "", name)
    if stem == name:
        return None
    for suffix in ("_USER", "_USERNAME", "_USR", "_LOGIN", "USER", "USERNAME"):
        value = env.get(stem + suffix) if stem else env.get(suffix.lstrip("_"))
        if value is None:
            value = env.get((stem + suffix).lower())
        if isinstance(value, (str, int)) and not isinstance(value, bool):
            return str(value)
    return None


def literal_secret(name: str, value: object, env: Mapping[str, object] | None = None) -> str | None:
    """Why this variable's value is a committed secret; None when it is not one. ``env`` holds the
    variables set next to it, so that a password equal to its user name reads as a placeholder."""
    if value is None or isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return None
    text = str(value).strip()
    if url_password(text) is not None:
        return f"`{name}` holds a URL with an inline password"
    if not is_secret_key(name):
        return None
    user = user_of(name, env or {})
    if "$" in text:
        m = re.fullmatch(r"\$\{[A-Za-z_]\w*:?-([^}]*)\}", text)
        default = m.group(1).strip().strip("\"'") if m else ""
        if m and is_committed_value(default) and not is_placeholder(default, user):
            return f"`{name}` falls back to a literal default when the variable is unset"
        return None
    if is_committed_value(text) and not is_placeholder(text, user):
        return f"`{name}` is set to a literal value"
    return None
