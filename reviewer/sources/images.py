"""Container image references: names, tags, datastore images."""

from __future__ import annotations

import re

from reviewer.sources.edits import PIN

DATASTORE_IMAGES = ("postgres", "postgis", "mysql", "mariadb", "mongo", "redis", "rabbitmq", "kafka",
                    "cp-kafka", "zookeeper", "elasticsearch", "opensearch", "memcached", "nats", "cassandra",
                    "cockroach", "timescale", "valkey", "keydb", "bitnami/kafka", "redpanda")


def image_name(ref: str) -> str:
    """``docker.io/library/postgres:16@sha256:..`` -> ``postgres`` (last path part, no tag)."""
    ref = ref.split("@", 1)[0]
    last = ref.rsplit("/", 1)[-1]
    return last.split(":", 1)[0].lower()


def image_tag(ref: str) -> str | None:
    """The tag, or None when the reference has none (a digest counts as pinned: returns '@')."""
    if "@" in ref:
        return "@"
    last = ref.rsplit("/", 1)[-1]
    return last.split(":", 1)[1] if ":" in last else None


def is_mutable_image(ref: str) -> bool:
    if "$" in ref or "{{" in ref:
        return False  # a variable decides the tag: we cannot know it
    tag = image_tag(ref)
    return tag is None or tag == "latest"


def is_datastore_image(ref: str) -> bool:
    name = image_name(ref)
    full = ref.split(":", 1)[0].lower()
    return any(name == d or name.startswith(d + "-") or full.endswith(d) for d in DATASTORE_IMAGES)


def unpinned_name(ref: str) -> str:
    """``ghcr.io/acme/api:latest`` -> ``ghcr.io/acme/api``: the reference without tag or digest
    (a registry port such as ``localhost:5000/`` stays)."""
    ref = ref.split("@", 1)[0]
    head, slash, last = ref.rpartition("/")
    return f"{head}{slash}{last.split(':', 1)[0]}"


def with_pin(ref: str) -> str:
    """The image with a tag left for the author to choose: ``golang:<pin a version>``."""
    return f"{unpinned_name(ref)}:{PIN}"


# Readiness checks that every tag of these images can run (the tool ships in the image).
_HEALTH_TESTS: tuple[tuple[str, list[str]], ...] = (
    ("postgres", ["CMD-SHELL", "pg_isready -U $${POSTGRES_USER:-postgres}"]),
    ("postgis", ["CMD-SHELL", "pg_isready -U $${POSTGRES_USER:-postgres}"]),
    ("timescale", ["CMD-SHELL", "pg_isready -U $${POSTGRES_USER:-postgres}"]),
    ("redis", ["CMD", "redis-cli", "ping"]),
    ("mysql", ["CMD", "mysqladmin", "ping", "-h", "127.0.0.1"]),
    ("rabbitmq", ["CMD", "rabbitmq-diagnostics", "-q", "ping"]),
)


def health_test(ref: str | None) -> list[str] | None:
    """A compose ``healthcheck.test`` known to work in this datastore image; None when we do not know one."""
    name = image_name(ref) if ref else ""
    return next((list(test) for prefix, test in _HEALTH_TESTS if name.startswith(prefix)), None)


_URL = re.compile(r"https?://[^\s'\"]+|(?:localhost|127\.0\.0\.1|0\.0\.0\.0)(?::\d+)?(?:/[^\s'\"]*)?")


def url_in(command: str) -> str | None:
    """The URL a health check command calls (``curl -f localhost:8000/healthz`` -> ``http://localhost:8000/healthz``)."""
    m = _URL.search(command)
    if m is None:
        return None
    return m.group(0) if "://" in m.group(0) else "http://" + m.group(0)


def http_check(image: str | None, url: str, *, without: str | None = None) -> list[str] | None:
    """An exec-form check of ``url`` with a tool the image has (``without``: the tool it lacks);
    None when we cannot tell what the image ships."""
    ref = (image or "").lower()
    if "python" in ref or image_name(ref) == "pypy":
        python = "python3" if "distroless" in ref else "python"
        return ["CMD", python, "-c", f"import urllib.request; urllib.request.urlopen('{url}', timeout=2)"]
    if "distroless" in ref:
        return None
    if "alpine" in ref and without != "wget":
        return ["CMD", "wget", "-q", "--spider", url]
    return ["CMD", "curl", "-fsS", url] if without is None and ref else None
