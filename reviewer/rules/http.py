"""Outbound HTTP resilience: timeouts, retries, TLS verification, circuit breakers, service URLs."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from reviewer.classify import FileKind, is_test_path
from reviewer.model import Category, Severity
from reviewer.project import SourceFile
from reviewer.rules.registry import Hit, RuleContext, Scope, Speaks, rule
from reviewer.sources import python_fixes as fx
from reviewer.sources.fastapi_routes import handler_functions
from reviewer.sources.python_ast import (
    HTTP_VERBS,
    HTTPX_CLIENTS,
    dotted,
    has_star_kwargs,
    imported_name,
    is_const,
    keyword,
    nodes,
)
from reviewer.sources.python_flow import Kind, flow
from reviewer.sources.python_http import http_receiver, sessions_have_default_timeout
from reviewer.sources.python_outbound import URLLIB3_REQUESTS, offloaded_http, on_request_path, urllib3_pool
from reviewer.sources.python_retries import (
    called_name,
    http_method,
    retried_calls,
    retries_disabled,
    retry_loops,
    retry_policies,
    scope_env,
    sends_idempotency_key,
    tenacity_arg,
)

_REQUESTS_CALLS = {f"requests.{v}" for v in HTTP_VERBS | {"request"}}
_HTTPX_CALLS = {f"httpx.{v}" for v in HTTP_VERBS | {"request", "stream"}}
_URLOPEN = {"urllib.request.urlopen", "urllib3.request"}
_SESSION_METHODS = HTTP_VERBS | {"request"}
_UNSAFE_METHODS = {"post", "patch"}
_HTTP_LIBS = ("requests", "httpx", "aiohttp", "urllib")


def _mentions(f: SourceFile, *words: str) -> bool:
    """Cheap pre-check: a rule about ``requests`` has nothing to do in a file that never names it.
    Test code is left out too: it talks to local fakes, where timeouts, retries and TLS are not the point."""
    return not is_test_path(f.path) and any(w in f.text for w in words)


def _handler_ids(f: SourceFile) -> set[int]:
    mod = f.python
    return {id(fn) for fn in handler_functions(mod)} if mod is not None else set()


@rule("http-call-without-timeout", kinds={FileKind.PYTHON}, category=Category.RESILIENCE,
      severity=Severity.WARNING, equivalents=("S113", "use-timeout", "request-without-timeout"))
def call_without_timeout(f: SourceFile, ctx: RuleContext) -> Iterator[Hit]:
    """Outbound HTTP call without a timeout

    Why: `requests`, `urllib` and `urllib3` wait forever by default, and `aiohttp` waits 300 s. One slow
    dependency then holds every worker of this service, and the outage cascades upstream. Inside
    a route handler it is an error: the caller's own timeout fires first and retries pile up.

    Fix:
        # pass an explicit (connect, read) timeout on every call
        resp = requests.get(f"{INVENTORY_URL}/items/{item_id}", timeout=(3.05, 10))
        # or share one client configured once
        client = httpx.AsyncClient(timeout=httpx.Timeout(5.0, connect=2.0))
    """
    mod = f.python if _mentions(f, "requests", "urllib", "aiohttp") else None
    if mod is None:
        return
    fl = flow(mod)
    handlers = _handler_ids(f)
    session_default = sessions_have_default_timeout(mod)
    for node, scope, env in fl.calls():
        if has_star_kwargs(node):
            continue
        name = imported_name(mod, node.func) or ""
        if name in _REQUESTS_CALLS or name in _URLOPEN or name == "aiohttp.ClientSession":
            missing = keyword(node, "timeout") is None and not (name.endswith("urlopen") and len(node.args) >= 3)
        elif isinstance(node.func, ast.Attribute) and node.func.attr in _SESSION_METHODS and \
                fl.client_kind(node, env) is Kind.REQUESTS_SESSION and not session_default:
            name = f"{dotted(node.func.value) or 'session'}.{node.func.attr}"
            missing = keyword(node, "timeout") is None
        elif isinstance(node.func, ast.Attribute) and node.func.attr in URLLIB3_REQUESTS and \
                (pool := urllib3_pool(mod, node.func.value, scope)) is not None:
            name = f"{dotted(node.func.value) or 'urllib3.PoolManager()'}.{node.func.attr}"
            missing = keyword(node, "timeout") is None and keyword(pool, "timeout") is None
        else:
            continue
        if missing:
            waits, where = on_request_path(mod, scope, handlers)
            yield Hit(node.lineno, f"`{name}()` has no `timeout=`{where}", severity=Severity.ERROR if waits else None,
                      **fx.with_timeout(f, node))
    threads = any(w in f.text for w in ("to_thread", "run_in_executor", "run_in_threadpool"))
    for node, name, scope, passes in offloaded_http(mod) if threads else ():
        waits, where = on_request_path(mod, scope, handlers)
        yield Hit(node.lineno, f"`{name}` runs in a thread with no `timeout=`{where}: the thread is held as long as "
                               "the server takes", severity=Severity.ERROR if waits else None,
                  **fx.offloaded_timeout(f, node, name, passes))


@rule("http-timeout-disabled", kinds={FileKind.PYTHON}, category=Category.RESILIENCE,
      severity=Severity.WARNING, equivalents=("S113",))
def timeout_disabled(f: SourceFile, ctx: RuleContext) -> Iterator[Hit]:
    """HTTP timeout explicitly disabled

    Why: httpx applies a 5 s timeout by default; `timeout=None` removes it, and
    `aiohttp.ClientTimeout(total=None)` does the same for aiohttp. A hung dependency then holds
    the connection and the request forever.

    Fix:
        client = httpx.AsyncClient(timeout=httpx.Timeout(10.0, connect=2.0))
        session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
    """
    mod = f.python if "None" in f.text and _mentions(f, "timeout", "Timeout") else None
    if mod is None:
        return
    fl = flow(mod)
    for node, _, env in fl.calls():
        name = imported_name(mod, node.func) or ""
        client = fl.client_kind(node, env)
        if name in _HTTPX_CALLS or name in HTTPX_CLIENTS or name in _REQUESTS_CALLS or client in (
                Kind.HTTPX_CLIENT, Kind.HTTPX_ASYNC_CLIENT, Kind.REQUESTS_SESSION):
            kw = keyword(node, "timeout")
            if kw is not None and is_const(kw.value, None):
                shown = name or f"{dotted(node.func) or 'client'}"
                yield Hit(kw.value.lineno, f"`{shown}(timeout=None)` waits forever", **fx.bound(f, kw.value))
        elif name == "httpx.Timeout":
            if node.args and is_const(node.args[0], None) and len(node.args) == 1 and not node.keywords:
                yield Hit(node.lineno, "`httpx.Timeout(None)` disables every timeout", **fx.bound(f, node.args[0]))
        elif name == "aiohttp.ClientTimeout":
            kw = keyword(node, "total")
            bounded = [k for k in ("sock_read", "sock_connect", "connect")
                       if keyword(node, k) is not None and not is_const(keyword(node, k).value, None)]
            if kw is not None and is_const(kw.value, None) and not bounded:
                yield Hit(kw.value.lineno, "`aiohttp.ClientTimeout(total=None)` waits forever", **fx.bound(f, kw.value))


@rule("http-retry-without-backoff", kinds={FileKind.PYTHON}, category=Category.RESILIENCE, severity=Severity.WARNING)
def retry_without_backoff(f: SourceFile, ctx: RuleContext) -> Iterator[Hit]:
    """Retry without backoff

    Why: retrying immediately multiplies the load on a dependency at the moment it is
    struggling; every client does the same, and a brief slowdown becomes a retry storm that keeps
    it down. Wait longer after each failure, with jitter so clients do not retry in lockstep.

    Fix:
        @retry(
            wait=wait_exponential_jitter(initial=0.2, max=5),
            stop=stop_after_attempt(4),
            retry=retry_if_exception_type(httpx.TransportError),
        )
        async def fetch_stock(sku: str) -> dict: ...

        # urllib3 / requests
        Retry(total=3, backoff_factor=0.5, status_forcelist=[502, 503, 504])
    """
    mod = f.python if _mentions(f, "etry", *_HTTP_LIBS) else None
    if mod is None:
        return
    for policy in retry_policies(mod):
        if policy.library == "tenacity":
            if policy.call is not None and has_star_kwargs(policy.call):
                continue
            wait = tenacity_arg(policy, "wait")
            if wait is None:
                yield Hit(policy.node.lineno, "tenacity retry without `wait=` retries immediately",
                          **fx.add_wait(f, policy.node))
            elif called_name(mod, wait) == "wait_none":
                yield Hit(wait.lineno, "`wait=wait_none()` retries immediately", **fx.jitter(f, wait))
        elif not retries_disabled(policy) and not has_star_kwargs(policy.call):
            factor = keyword(policy.call, "backoff_factor")
            if factor is None:
                yield Hit(policy.node.lineno, "urllib3 `Retry` without `backoff_factor` retries immediately",
                          **fx.add_backoff(f, policy.node))
            elif isinstance(factor.value, ast.Constant) and factor.value.value == 0:
                yield Hit(factor.value.lineno, "`backoff_factor=0` retries immediately", **fx.backoff(f, factor.value))
    for loop in retry_loops(mod):
        if not loop.has_sleep:
            handler = loop.handlers[0]
            yield Hit(handler.lineno, "this retry loop goes round again without sleeping")


@rule("http-retry-unbounded", kinds={FileKind.PYTHON}, category=Category.RESILIENCE, severity=Severity.ERROR)
def retry_unbounded(f: SourceFile, ctx: RuleContext) -> Iterator[Hit]:
    """Retry with no limit

    Why: a retry with no stop condition never gives up: while a dependency is down, every
    request (and every worker serving it) is stuck retrying, callers time out, and the work
    piles up. Bound retries by attempts and total time, then fail fast.

    Fix:
        @retry(
            stop=(stop_after_attempt(4) | stop_after_delay(10)),
            wait=wait_exponential_jitter(initial=0.2, max=5),
        )
        async def fetch_stock(sku: str) -> dict: ...
    """
    mod = f.python if _mentions(f, "etry", *_HTTP_LIBS) else None
    if mod is None:
        return
    for policy in retry_policies(mod):
        if policy.library != "tenacity" or (policy.call is not None and has_star_kwargs(policy.call)):
            continue
        stop = tenacity_arg(policy, "stop")
        if stop is None:
            yield Hit(policy.node.lineno, "tenacity retry without `stop=` retries forever",
                      **fx.add_stop(f, policy.node))
        elif called_name(mod, stop) == "stop_never":
            yield Hit(stop.lineno, "`stop=stop_never` retries forever", **fx.attempts(f, stop))
    for loop in retry_loops(mod):
        if not loop.capped:
            yield Hit(loop.loop.lineno, "`while True` retry loop has no attempt or time limit")


@rule("http-retry-non-idempotent", kinds={FileKind.PYTHON}, category=Category.RESILIENCE, severity=Severity.INFO)
def retry_non_idempotent(f: SourceFile, ctx: RuleContext) -> Iterator[Hit]:
    """Retried POST/PATCH without an idempotency key

    Why: a POST that timed out may still have succeeded on the server. Retrying it charges the
    card twice or creates two orders. Send an `Idempotency-Key` the server deduplicates on,
    generated once per logical operation (not per attempt), or retry only connection errors.

    Fix:
        key = str(uuid.uuid4())  # once, outside the retried function

        @retry(stop=stop_after_attempt(3), wait=wait_exponential_jitter(initial=0.2))
        async def charge(order: Order, key: str) -> None:
            await payments.post("/charges", json=order.charge(), headers={"Idempotency-Key": key})
    """
    mod = f.python if _mentions(f, "etry", *_HTTP_LIBS) else None
    if mod is None:
        return
    fl = flow(mod)
    for call, env, what in retried_calls(mod):
        method = http_method(fl, call, env)
        if method in _UNSAFE_METHODS and not sends_idempotency_key(mod, call):
            yield Hit(call.lineno, f"`{dotted(call.func) or method}()` is repeated by a {what} and sends no "
                                   "`Idempotency-Key`", **fx.idempotency_key(call))
    for policy in retry_policies(mod):
        if policy.library == "urllib3" and policy.call is not None:
            kw = keyword(policy.call, "allowed_methods") or keyword(policy.call, "method_whitelist")
            if kw is None:
                continue
            text = ast.unparse(kw.value).upper()
            if is_const(kw.value, None) or is_const(kw.value, False) or "POST" in text or "PATCH" in text:
                yield Hit(kw.value.lineno, "urllib3 `Retry` repeats POST/PATCH requests",
                          **fx.default_methods(f, policy.call, kw.value, kw.arg or "allowed_methods"))


# --- TLS ----------------------------------------------------------------------------------------

@rule("http-tls-verify-disabled", kinds={FileKind.PYTHON}, category=Category.SECURITY, severity=Severity.ERROR,
      equivalents=("S501", "S323", "disabled-cert-validation"))
def tls_verify_disabled(f: SourceFile, ctx: RuleContext) -> Iterator[Hit]:
    """TLS certificate verification disabled

    Why: with verification off, anyone on the network path (a compromised pod, a proxy, a
    hostile Wi-Fi) can impersonate the service and read or change the traffic, including the
    credentials sent with it. Trust the right CA instead of trusting everything.

    Fix:
        # point at the internal CA bundle instead of turning verification off
        client = httpx.AsyncClient(verify="/etc/ssl/certs/internal-ca.pem", timeout=5.0)
        resp = requests.get(url, verify=os.environ["REQUESTS_CA_BUNDLE"], timeout=5)
    """
    mod = f.python if _mentions(f, "verify", "ssl", "CERT_NONE", "check_hostname") else None
    if mod is None:
        return
    fl = flow(mod)
    for node, _, env in fl.calls():
        name = imported_name(mod, node.func) or ""
        http = name.startswith(("requests.", "httpx.")) or http_receiver(fl, node, env)
        for arg in ("verify", "ssl", "verify_ssl"):
            kw = keyword(node, arg)
            if kw is None or not is_const(kw.value, False):
                continue
            if (arg == "verify" and http) or (arg != "verify" and (name.startswith("aiohttp.") or fl.client_kind(
                    node, env) is Kind.AIOHTTP_SESSION)):
                yield Hit(kw.value.lineno, f"`{arg}=False` on `{name or dotted(node.func) or 'client'}()`",
                          **fx.verified(node, arg))
        if name == "ssl._create_unverified_context":
            yield Hit(node.lineno, "`ssl._create_unverified_context()` skips certificate checks")
    for node in nodes(mod, ast.Attribute, ast.Assign):
        if isinstance(node, ast.Attribute) and imported_name(mod, node) == "ssl.CERT_NONE" and not isinstance(
                mod.parents.get(node), ast.Compare):
            yield Hit(node.lineno, "`ssl.CERT_NONE` accepts any certificate")
        elif isinstance(node, ast.Assign) and is_const(node.value, False):
            for t in node.targets:
                if not isinstance(t, ast.Attribute):
                    continue
                owner = dotted(t.value) or ""
                session = fl.kind_of(t.value, scope_env(fl, mod, node)) is Kind.REQUESTS_SESSION or \
                    "session" in owner.lower()
                if t.attr == "check_hostname" or (t.attr == "verify" and session):
                    yield Hit(node.lineno, f"`{owner}.{t.attr} = False` turns certificate checks off")


@rule("http-no-circuit-breaker", category=Category.RESILIENCE, severity=Severity.INFO, scope=Scope.PROJECT,
      speaks=Speaks.AUDIT)
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
    from reviewer.services.build import build_service_model  # cross-file: loaded only when it runs
    from reviewer.services.calls import resolve_call
    from reviewer.services.code import BREAKER_MODULES

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
        yield Hit(ends[0][1], f"`{svc.name}` calls {names} from its routes", path=ends[0][0], also=tuple(ends[1:]),
                  **fx.breakers(svc.name, sorted(targets)))


@rule("http-hardcoded-service-url", kinds={FileKind.PYTHON}, category=Category.BOUNDARIES, severity=Severity.INFO,
      reads_model=True)
def hardcoded_service_url(f: SourceFile, ctx: RuleContext) -> Iterator[Hit]:
    """Service address in code resolves in only one of the environments the service runs in

    Why: `http://inventory:8000` is the right way to reach a sibling where a compose service or a
    Kubernetes Service is named `inventory`. This service runs both under compose and in the
    cluster, and the name exists in only one of them, so the call fails in the other, and the
    code has to change per environment. Give the Service the same name in both, or read the URL
    from configuration that each deployment sets.

    Fix:
        class Settings(BaseSettings):
            inventory_url: AnyHttpUrl  # INVENTORY_URL, set in compose / the Deployment

        settings = Settings()
        resp = await client.get(f"{settings.inventory_url}/items/{item_id}")
    """
    if f.python is None or is_test_path(f.path):
        return
    from reviewer.services.addresses import unresolved_in  # reads the service model: loaded only when it runs
    from reviewer.services.build import build_service_model
    from reviewer.services.endpoints import parse_http_url
    from reviewer.services.model import LOCAL_HOSTS, canonical_host

    model = build_service_model(ctx.project, ctx.service_roots)
    facts = model.code.get(f.path)
    caller = model.owner_of(f.path)
    if facts is None or caller is None:
        return
    for lit in facts.url_literals:
        url = parse_http_url(lit.value)
        if lit.config_default or url is None or url[0] in LOCAL_HOSTS:
            continue
        missing = unresolved_in(ctx.project, caller, url[0])
        if missing is not None:
            found = "Kubernetes" if missing == "compose" else "compose"
            yield Hit(lit.line, f"`{url[0]}` is a {found} name, but `{caller.name}` also runs under {missing}, "
                                f"where nothing is named `{canonical_host(url[0])}`", **fx.service_url(url[0], url[1]))
