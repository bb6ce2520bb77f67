"""Which names hold secrets and which values are committed secrets: one classifier for the
Kubernetes, compose, Dockerfile and FastAPI rules."""

from __future__ import annotations

import re
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
    return bool(text) and not ENV_REFERENCE.match(text) and text.lower() not in {"changeme", "<secret>", "xxx"}


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


def literal_secret(name: str, value: object) -> str | None:
    """Why this variable's value is a committed secret; None when it is not one."""
    if value is None or isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return None
    text = str(value).strip()
    url = URL_WITH_PASSWORD.search(text)
    if url and "$" not in url.group(1) and not _PLACEHOLDERS.match(url.group(1)):
        return f"`{name}` holds a URL with an inline password"
    if not is_secret_key(name):
        return None
    if "$" in text:
        m = re.fullmatch(r"\$\{[A-Za-z_]\w*:?-([^}]*)\}", text)
        if m and is_committed_value(m.group(1).strip().strip("\"'")):
            return f"`{name}` falls back to a literal default when the variable is unset"
        return None
    if is_committed_value(text):
        return f"`{name}` is set to a literal value"
    return None
