"""Container image references: names, tags, datastore images."""

from __future__ import annotations

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
