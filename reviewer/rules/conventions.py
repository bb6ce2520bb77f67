"""The house's own conventions: a service that breaks what its siblings all do.

Conventions are learned (``services.conventions``) from the services at the PR's base (in an audit,
from the tree itself); the services the change adds or touches are judged against them. A finding
names the convention, two siblings that keep it, and carries the fix in the first one's own words.
"""

from __future__ import annotations

from collections.abc import Iterator

from reviewer.model import Category, Severity
from reviewer.rules.registry import Hit, RuleContext, Scope, rule
from reviewer.services.build import build_service_model
from reviewer.services.conventions import Learned, breaches, eligible, learn
from reviewer.services.model import Service, ServiceModel


def learned(ctx: RuleContext) -> list[Learned]:
    """The conventions of the base tree (of the tree itself in an audit), learned once per run."""
    source = ctx.base if ctx.base is not None else ctx.project
    model = build_service_model(source, ctx.service_roots)
    return source.memo(f"conventions:{','.join(ctx.service_roots)}:{ctx.conventions!r}",  # type: ignore[return-value]
                       lambda: learn(model, ctx.conventions))


def judged(ctx: RuleContext, model: ServiceModel) -> Iterator[Service]:
    """The services a run judges: every one in an audit; in a review, those whose files it touches."""
    for svc in model.services:
        if ctx.targets is None:
            yield svc
            continue
        paths = set(svc.files) | {p.workload.path for p in svc.workloads}
        if svc.decl is not None:
            paths.add(svc.decl[0])
        if svc.root is not None:
            paths.add(f"{svc.root}/Dockerfile" if svc.root else "Dockerfile")
        if paths & ctx.targets:
            yield svc


def _hits(ctx: RuleContext, rule_id: str) -> Iterator[Hit]:
    model = build_service_model(ctx.project, ctx.service_roots)
    services = [s for s in judged(ctx, model) if eligible(s)]
    if not services:
        return  # nothing the change touches is a service of its own: nothing to learn for
    conventions = learned(ctx)
    if not any(item.holds and item.convention.rule == rule_id for item in conventions):
        return
    disabled = ctx.conventions.disabled_rules if ctx.conventions is not None else frozenset()
    for svc in services:
        for b in breaches(conventions, model, svc, rule_id, disabled):
            yield Hit(b.line, b.detail, path=b.path, fix=b.fix)


@rule("convention-service-code", category=Category.OPERABILITY, severity=Severity.WARNING, scope=Scope.PROJECT)
def service_code(ctx: RuleContext) -> Iterator[Hit]:
    """Service breaks a code convention its siblings keep

    Why: when three or more services of this repository (and at least three in four of them) set up
    tracing, metrics, structured logging, a health route, an auth dependency, a versioned prefix, a
    CORS policy or a retry helper the same way, a service without it is the one that goes dark in the
    dashboards, answers unauthenticated, or breaks the gateway's routing. Do what the siblings do,
    the way they do it. `arch-review conventions` shows what was learned; the config's
    `conventions: {off: [...]}` switches one off.

    Fix:
        # as `orders` does (services/orders/app/main.py):
        from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
        FastAPIInstrumentor.instrument_app(app)
    """
    yield from _hits(ctx, "convention-service-code")


@rule("convention-service-deploy", category=Category.OPERABILITY, severity=Severity.INFO, scope=Scope.PROJECT)
def service_deploy(ctx: RuleContext) -> Iterator[Hit]:
    """Service breaks a deployment convention its siblings keep

    Why: the services of this repository build from one base image family (patched, scanned and
    cached together); an image from another family is one more OS to patch and one more set of
    CVEs. Where the generic rules are switched off in the config, resource limits and probes that
    every sibling's manifest declares are judged here too.

    Fix:
        # as `orders` does (services/orders/Dockerfile):
        FROM python:3.12-slim
    """
    yield from _hits(ctx, "convention-service-deploy")


@rule("logging-no-request-id", category=Category.OPERABILITY, severity=Severity.WARNING, scope=Scope.PROJECT)
def no_request_id(ctx: RuleContext) -> Iterator[Hit]:
    """Service logs requests without the request id its siblings carry

    Why: the other services put a request or correlation id on every log line (and pass it on), so
    one request can be followed across them; this service's lines cannot be joined to the rest, and
    the trail of every request that passes through it breaks there.

    Fix:
        # as `orders` does (services/orders/app/main.py):
        from asgi_correlation_id import CorrelationIdMiddleware
        app.add_middleware(CorrelationIdMiddleware)
    """
    yield from _hits(ctx, "logging-no-request-id")
