"""The house's conventions: what a clear majority of a repository's services do, learned from them.

    traits (services.traits: one service's facts) ──▶ learn(model) ──▶ [Learned] ──▶ breaches(svc)

A convention holds when at least ``MIN_SERVICES`` services it applies to exist, at least three of
them follow it, and they are at least ``min_share`` of them (default three in four). Services under
tests, examples, tools, scripts or docs folders neither teach nor get judged, nor do images we do not
build. The config (``ConventionSettings``) may switch a convention off or declare one (then a simple majority is not
needed, only three followers). Pure: reads the service model, never a file.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from reviewer.services import traits as t
from reviewer.services.model import Service, ServiceModel
from reviewer.sources.yaml_docs import YMap

if TYPE_CHECKING:
    from reviewer.config import ConventionSettings

MIN_SERVICES = 3
DEFAULT_SHARE = 0.75
_NOT_SERVICE_DIRS = {"tests", "test", "testing", "examples", "example", "samples", "sample", "tools", "tool",
                     "scripts", "docs", "doc", "demo", "demos", "hack", "benchmarks", "bench", "e2e", "fixtures"}


@dataclass(frozen=True)
class Convention:
    id: str
    title: str  # what the followers do
    lacks: str  # what a breaker lacks, after "has no"/"does not"
    rule: str  # the rule that reports a breach
    detect: Callable[[ServiceModel, Service], t.Trait | None] = field(compare=False, repr=False)
    where: str = "app"  # app | dockerfile | workload: where a breach is anchored
    defers_to: str | None = None  # a rule that flags every breach anyway: speak only when it is off


def _k8s_trait(key: Callable[[YMap], object], block: str) -> Callable[[ServiceModel, Service], t.Trait | None]:
    def detect(model: ServiceModel, svc: Service) -> t.Trait | None:
        containers = [(p.workload.path, c) for p in svc.workloads for c in p.main if not c.init]
        if not containers:
            return None
        for _, c in containers:
            if not key(c.data):
                return t.Trait(False)
        path, c = containers[0]
        line = c.data.line_of(block)
        return t.Trait(True, t.Evidence(path, line, _yaml_block(model, path, line)))
    return detect


def _yaml_block(model: ServiceModel, path: str, line: int) -> tuple[str, ...]:
    """The key at ``line`` and the lines indented under it: a manifest block as its author wrote it."""
    f = model.code.project.get(path)
    if f is None:
        return ()
    first = f.line_text(line)
    indent = len(first) - len(first.lstrip())
    out = [first.rstrip()]
    for n in range(line + 1, len(f.lines) + 1):
        text = f.line_text(n)
        if text.strip() and len(text) - len(text.lstrip()) <= indent:
            break
        out.append(text.rstrip())
    return tuple(out[:12])


def _has_limits(c: YMap) -> bool:
    res = c.get("resources")
    return isinstance(res, dict) and isinstance(res.get("limits"), dict) and bool(res["limits"])


def _has_probes(c: YMap) -> bool:
    return "readinessProbe" in c and "livenessProbe" in c


CONVENTIONS: tuple[Convention, ...] = (
    Convention("tracing", "OpenTelemetry tracing", "no OpenTelemetry tracing", "convention-service-code",
               lambda m, s: t.library_trait(m, s, ("opentelemetry",), lambda q: q.startswith("opentelemetry")
                                            and "instrument" in q.lower()) if t.serves_routes(m, s) else None),
    Convention("metrics", "Prometheus metrics", "no Prometheus metrics", "convention-service-code",
               lambda m, s: t.library_trait(m, s, ("prometheus_client", "prometheus_fastapi_instrumentator",
                                                   "starlette_exporter", "starlette_prometheus"))
               if t.serves_routes(m, s) else None),
    Convention("structured-logging", "structured (JSON) logging", "no structured logging setup",
               "convention-service-code",
               lambda m, s: t.library_trait(m, s, ("structlog", "pythonjsonlogger", "json_log_formatter",
                                                   "ecs_logging")) if t.serves_routes(m, s) else None),
    Convention("health-route", "a health route", "no health route", "convention-service-code", t.health_trait),
    Convention("auth-dependency", "an auth dependency", "no auth dependency", "convention-service-code",
               t.auth_trait),
    Convention("version-prefix", "a versioned route prefix (/v1)", "no version prefix on its routes",
               "convention-service-code", t.version_trait),
    Convention("cors-policy", "a CORS policy (CORSMiddleware)", "no CORS policy", "convention-service-code",
               t.cors_trait),
    Convention("outbound-retry", "a retry helper around outbound calls", "no retry helper on its outbound calls",
               "convention-service-code", t.outbound_retry_trait),
    Convention("request-id", "a request/correlation id on their log lines", "no request or correlation id",
               "logging-no-request-id", t.correlation_trait),
    Convention("base-image", "one base image family", "a different base image family", "convention-service-deploy",
               t.base_image_trait, where="dockerfile"),
    Convention("resource-limits", "resource limits on their containers", "no resource limits",
               "convention-service-deploy", _k8s_trait(_has_limits, "resources"), where="workload",
               defers_to="k8s-missing-memory-limit"),
    Convention("probes", "liveness and readiness probes", "no liveness/readiness probes",
               "convention-service-deploy", _k8s_trait(_has_probes, "readinessProbe"), where="workload",
               defers_to="k8s-missing-readiness-probe"),
)
BY_ID = {c.id: c for c in CONVENTIONS}


def eligible(svc: Service) -> bool:
    """A service the repository runs as its own: not someone else's image, not a test or example."""
    if svc.third_party or svc.batch:
        return False
    places = [svc.root] if svc.root is not None else [p.workload.path for p in svc.workloads]
    return not any(set(p.split("/")) & _NOT_SERVICE_DIRS for p in places if p)


def traits_of(model: ServiceModel, svc: Service) -> dict[str, t.Trait]:
    """Every convention's trait for ``svc`` (those that apply), computed once per model."""
    cache: dict[int, dict[str, t.Trait]] = model.__dict__.setdefault("_arch_traits", {})
    if id(svc) not in cache:
        found = {}
        for conv in CONVENTIONS:
            trait = conv.detect(model, svc)
            if trait is not None:
                found[conv.id] = trait
        cache[id(svc)] = found
    return cache[id(svc)]


@dataclass
class Learned:
    """One convention as the repository shows it: who follows it, who does not."""

    convention: Convention
    followers: list[str]
    others: list[str]
    evidence: dict[str, t.Evidence]
    value: str | None = None  # the family most services share, for a valued convention
    declared: bool = False
    off: bool = False
    min_share: float = DEFAULT_SHARE

    @property
    def applies(self) -> int:
        return len(self.followers) + len(self.others)

    @property
    def share(self) -> float:
        return len(self.followers) / self.applies if self.applies else 0.0

    @property
    def holds(self) -> bool:
        if self.off or self.applies < MIN_SERVICES or len(self.followers) < MIN_SERVICES:
            return False
        return self.declared or self.share >= self.min_share


def learn(model: ServiceModel, settings: ConventionSettings | None = None) -> list[Learned]:
    """What the model's services do, convention by convention (all of them, held or not)."""
    off = settings.off if settings is not None else frozenset()
    declare = settings.declare if settings is not None else frozenset()
    share = settings.min_share if settings is not None else DEFAULT_SHARE
    services = sorted((s for s in model.services if eligible(s)), key=lambda s: s.name)
    out = []
    for conv in CONVENTIONS:
        found = [(s, tr) for s in services if (tr := traits_of(model, s).get(conv.id)) is not None]
        value = None
        if conv.where == "dockerfile":
            counts = Counter(tr.value for _, tr in found)
            value = counts.most_common(1)[0][0] if counts else None
            found = [(s, t.Trait(tr.value == value, tr.evidence, tr.value)) for s, tr in found]
        followers = [s.name for s, tr in found if tr.follows]
        evidence = {s.name: tr.evidence for s, tr in found if tr.follows and tr.evidence is not None}
        out.append(Learned(conv, followers, [s.name for s, tr in found if not tr.follows], evidence, value,
                           conv.id in declare, conv.id in off, share))
    return out


@dataclass(frozen=True)
class Breach:
    """A service that breaks a convention its siblings keep."""

    convention: Convention
    service: str
    path: str
    line: int
    siblings: tuple[str, ...]  # two that follow it
    example: t.Evidence
    value: str | None = None  # the family the service uses, for base-image
    expected: str | None = None  # the family most services use

    @property
    def detail(self) -> str:
        sib = " and ".join(f"`{s}`" for s in self.siblings)
        if self.convention.id == "base-image":
            return (f"`{self.service}` builds FROM `{self.value}`; {sib} (and most services here) "
                    f"build FROM `{self.expected}`")
        return (f"`{self.service}` has {self.convention.lacks}; {sib} (and most services here) "
                f"have {self.convention.title}")

    @property
    def fix(self) -> str:
        lines = "\n".join(self.example.lines)
        return f"# as `{self.siblings[0]}` does ({self.example.path}:{self.example.line}):\n{lines}"


def _anchor(model: ServiceModel, svc: Service, conv: Convention) -> tuple[str, int] | None:
    if conv.where == "dockerfile":
        tr = traits_of(model, svc).get(conv.id)
        return (tr.evidence.path, tr.evidence.line) if tr is not None and tr.evidence is not None else None
    if conv.where == "workload":
        place = next((p for p in svc.workloads if p.main), None)
        return (place.workload.path, place.main[0].line) if place is not None else None
    return t.app_anchor(model, svc)


def breaches(learned: list[Learned], model: ServiceModel, svc: Service, rule: str,
             disabled_rules: frozenset[str] = frozenset()) -> Iterator[Breach]:
    """The conventions ``svc`` (a service of ``model``) breaks, among those reported by ``rule``."""
    if not eligible(svc):
        return
    mine = traits_of(model, svc)
    for item in learned:
        conv = item.convention
        if conv.rule != rule or not item.holds or (conv.defers_to and conv.defers_to not in disabled_rules):
            continue
        trait = mine.get(conv.id)
        if trait is None or (trait.follows if conv.where != "dockerfile" else trait.value == item.value):
            continue
        siblings = tuple(n for n in item.followers if n != svc.name and n in item.evidence)[:2]
        anchor = _anchor(model, svc, conv)
        if len(siblings) < 2 or anchor is None:
            continue
        yield Breach(conv, svc.name, anchor[0], anchor[1], siblings, item.evidence[siblings[0]], trait.value,
                     item.value)
