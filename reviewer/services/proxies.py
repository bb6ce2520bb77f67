"""Reverse proxies that find their backends on the compose network by the backends' own labels or
environment, so the proxy's config names none of them: Traefik's Docker provider
(``traefik.enable=true``, ``traefik.http.routers.*``), nginx-proxy (``VIRTUAL_HOST``) and
caddy-docker-proxy (``caddy`` labels)."""

from __future__ import annotations

from reviewer.sources.compose import ComposeService
from reviewer.sources.images import image_name

# image name -> the proxy kind whose discovery the backends opt into
PROXY_IMAGES = {"traefik": "traefik", "nginx-proxy": "nginx-proxy", "caddy-docker-proxy": "caddy"}


def proxy_kind(image: str | None) -> str | None:
    return PROXY_IMAGES.get(image_name(image)) if image else None


def compose_labels(cs: ComposeService) -> dict[str, str]:
    """``labels:`` in map or ``key=value`` list form (a list item without ``=`` is an empty label)."""
    value = cs.data.get("labels")
    if isinstance(value, dict):
        return {str(k): "" if v is None else str(v) for k, v in value.items()}
    out: dict[str, str] = {}
    for item in value if isinstance(value, list) else ():
        key, _, val = str(item).partition("=")
        out[key.strip()] = val.strip()
    return out


def routed_by(cs: ComposeService) -> set[str]:
    """The proxy kinds that route to this service. Traefik's ``exposedByDefault`` would route to
    every service; we draw only the ones that say so, as most setups turn that default off."""
    labels = compose_labels(cs)
    kinds = set()
    enable = labels.get("traefik.enable", "").lower()
    if enable == "true" or (enable != "false" and any(k.startswith("traefik.http.routers.") for k in labels)):
        kinds.add("traefik")
    if any(v.name == "VIRTUAL_HOST" and v.value for v in cs.environment):
        kinds.add("nginx-proxy")
    if any(k == "caddy" or k.startswith(("caddy.", "caddy_")) for k in labels):
        kinds.add("caddy")
    return kinds
