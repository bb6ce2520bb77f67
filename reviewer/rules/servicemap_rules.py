"""HTTP rules that need the service map: fan-out without a breaker, service URLs baked into code."""

from __future__ import annotations

from collections.abc import Iterator

from reviewer.classify import FileKind, is_test_path
from reviewer.model import Category, Severity
from reviewer.project import SourceFile
from reviewer.rules.registry import Hit, RuleContext, Scope, rule
from reviewer.services.build import build_service_model
from reviewer.services.calls import resolve_call
from reviewer.services.code import BREAKER_MODULES
from reviewer.services.endpoints import parse_http_url
from reviewer.services.model import LOCAL_HOSTS, canonical_host


@rule("http-no-circuit-breaker", category=Category.RESILIENCE, severity=Severity.INFO, scope=Scope.PROJECT)
def no_circuit_breaker(ctx: RuleContext) -> Iterator[Hit]:
    """Service fans out to several services without a circuit breaker

    Why: when one of the services this one calls is down, every request still waits for its
    timeout, workers pile up, and this service fails too. A circuit breaker fails fast after a
    few errors and lets the dependency recover, keeping the rest of the API available.

    Fix:
        from aiobreaker import CircuitBreaker
        from datetime import timedelta

        inventory_breaker = CircuitBreaker(fail_max=5, timeout_duration=timedelta(seconds=30))

        @inventory_breaker
        async def reserve(item_id: int) -> dict:
            resp = await client.post(f"{INVENTORY_URL}/reservations", json={"item_id": item_id})
            resp.raise_for_status()
            return resp.json()
    """
    model = build_service_model(ctx.project, ctx.service_roots)
    for svc in model.services:
        facts = list(svc.facts(model))
        if not facts or any(f.breaker for f in facts) or any(f.module.imports.imports_module(m)
                                                             for f in facts for m in BREAKER_MODULES):
            continue
        targets: dict[str, list[tuple[str, int]]] = {}
        for f in facts:
            for route in f.routes:
                for call in route.calls:
                    hop = resolve_call(model, svc, call.template)
                    if hop is not None:
                        targets.setdefault(hop[0].name, []).append((call.path, call.line))
        if len(targets) < 2:
            continue
        ends = list(dict.fromkeys(e for name in sorted(targets) for e in targets[name]))
        names = ", ".join(f"`{n}`" for n in sorted(targets))
        yield Hit(ends[0][1], f"`{svc.name}` calls {names} from its routes", path=ends[0][0], also=tuple(ends[1:]))


@rule("http-hardcoded-service-url", kinds={FileKind.PYTHON}, category=Category.BOUNDARIES, severity=Severity.INFO)
def hardcoded_service_url(f: SourceFile, ctx: RuleContext) -> Iterator[Hit]:
    """Another service's address is hard-coded in Python

    Why: `http://inventory:8000` only resolves inside one compose network or one namespace.
    Staging, tests and Kubernetes then need code changes, and the dependency is invisible to
    whoever deploys the service. Read the URL from configuration (an env var with a settings
    class), where the deployment manifests can set it.

    Fix:
        class Settings(BaseSettings):
            inventory_url: AnyHttpUrl  # INVENTORY_URL, set in compose / the Deployment

        settings = Settings()
        resp = await client.get(f"{settings.inventory_url}/items/{item_id}")
    """
    if f.python is None or is_test_path(f.path):
        return
    model = build_service_model(ctx.project, ctx.service_roots)
    facts = model.code.get(f.path)
    if facts is None:
        return
    names = model.service_names()
    for lit in facts.url_literals:
        if lit.config_default:
            continue
        url = parse_http_url(lit.value)
        if url is None or url[0] in LOCAL_HOSTS:
            continue
        if canonical_host(url[0]) in names:
            yield Hit(lit.line, f"`{url[0]}{':' + str(url[1]) if url[1] else ''}` is written into the code")
