"""Service boundaries: database per service, no cross-service imports, no synchronous call webs."""

from __future__ import annotations

import ast
import posixpath
from collections.abc import Iterator

from reviewer.classify import FileKind, is_test_path
from reviewer.model import Category, Severity
from reviewer.project import SourceFile
from reviewer.rules.registry import Hit, RuleContext, Scope, rule
from reviewer.services.build import build_service_model
from reviewer.services.calls import call_cycles, call_edges, resolve_call, route_index
from reviewer.services.model import DbEndpoint, Service, ServiceModel
from reviewer.sources.dependencies import declared_imports

# Tables that every service keeps for itself by design (transactional outbox, migrations).
_PER_SERVICE_TABLES = {"outbox", "outbox_messages", "outbox_events", "inbox", "inbox_messages", "alembic_version",
                       "processed_messages", "processed_events", "idempotency_keys", "schema_migrations"}


def _names(names: list[str]) -> str:
    quoted = [f"`{n}`" for n in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]


def _model(ctx: RuleContext) -> ServiceModel:
    return build_service_model(ctx.project, ctx.service_roots)


def _ends(items: list[tuple[str, int]]) -> list[tuple[str, int]]:
    return list(dict.fromkeys(items))


def _ident(name: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in name).strip("_").lower() or "service"


def _own_database(name: str, d: DbEndpoint, others: list[str]) -> dict[str, str]:
    """The fix of boundary-shared-database: this service's own database on the same server."""
    port = f":{d.port}" if d.port else ""
    own = _ident(name)
    var = d.var if d.var != "create_engine" else "DATABASE_URL"
    value = f"{d.scheme}://{own}:${{{own.upper()}_DB_PASSWORD}}@{d.host}{port}/{own}" if var.endswith(
        ("URL", "URI", "DSN")) else own
    return {"fix": f"# `{name}` gets a database of its own (the server may stay the same);\n"
                   f"# what it needs of {_names(others)}'s data comes through their API or events\n{var}: {value}"}


def _through_api(owner: str, what: str) -> dict[str, str]:
    """The fix of boundary-cross-service-import: ask the owning service instead of reaching into it."""
    return {"fix": f"# `{owner}` owns {what}: ask it over HTTP (or consume its events) instead\n"
                   f"resp = await client.get(f\"{{settings.{_ident(owner)}_url}}/...\")\n"
                   "# code both really share goes into a library package both depend on"}


def _one_owner(table: str, name: str, other: str) -> dict[str, str]:
    """The fix of boundary-shared-table: one owner; the other service asks it."""
    return {"fix": f"# give table `{table}` one owner; if that is `{other}`, `{name}` drops its model of it\n"
                   f"resp = await client.get(f\"{{settings.{_ident(other)}_url}}/{table}/{{id}}\")"}


@rule("boundary-shared-database", category=Category.BOUNDARIES, severity=Severity.ERROR, scope=Scope.PROJECT)
def shared_database(ctx: RuleContext) -> Iterator[Hit]:
    """Two services share one database

    Why: a database shared by services couples them through its schema: one team's migration
    breaks the other service at runtime, neither can scale or be deployed on its own, and the
    data has no single owner. Give each service its own database (it may live on the same
    server) and share data through an API or events.

    Fix:
        services:
          orders:
            environment:
              DATABASE_URL: postgresql://orders:${ORDERS_DB_PASSWORD}@db:5432/orders
          billing:
            environment:
              DATABASE_URL: postgresql://billing:${BILLING_DB_PASSWORD}@db:5432/billing
    """
    model = _model(ctx)
    groups: dict[tuple, dict[str, list[tuple[str, int]]]] = {}
    labels: dict[tuple, str] = {}
    endpoints: dict[tuple[str, int], DbEndpoint] = {}
    for s in model.services:
        if s.third_party:
            continue
        for d in s.databases:
            groups.setdefault(d.key, {}).setdefault(s.name, []).append((d.path, d.line))
            labels[d.key] = d.label
            endpoints.setdefault((d.path, d.line), d)
    for key, by_service in groups.items():
        if len(by_service) < 2:
            continue
        for name, ends in by_service.items():
            others = sorted(n for n in by_service if n != name)
            other_ends = [e for n in others for e in by_service[n]]
            for end in _ends(ends):
                also = tuple(e for e in _ends(ends + other_ends) if e != end)
                detail = f"`{name}` shares `{labels[key]}` with {_names(others)}"
                yield Hit(end[1], detail, path=end[0], also=also, **_own_database(name, endpoints[end], others))


def _resolve_import(model: ServiceModel, svc: Service, f: SourceFile, module: str) -> Service | None:
    """The other service whose code ``module`` names, when the import cannot be the service's own."""
    index = model.code
    root = svc.root or ""
    own_bases = {posixpath.dirname(f.path), root}
    d = posixpath.dirname(f.path)
    while d.startswith(root) and d != root:  # packages between the file and its root
        own_bases.add(d)
        d = posixpath.dirname(d)
    if any(index.module_file(module, b) is not None for b in own_bases):
        return None
    for base in ("", posixpath.dirname(root)):
        found = index.module_file(module, base)
        if found is None:
            continue
        target = model.owner_of(found[0] if not found[0].endswith("/") else found[0] + "__init__.py")
        if target is None or target is svc or target.root is None:
            return None
        if _nested(target.root, root):
            return None
        return target
    return None


def _statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Every statement, nested ones included, without visiting expressions (imports are statements)."""
    stack = list(reversed(body))
    while stack:
        stmt = stack.pop()
        yield stmt
        for name in ("body", "orelse", "finalbody", "handlers", "cases"):
            block = getattr(stmt, name, None)
            if isinstance(block, list):
                stack.extend(reversed([s for s in block if isinstance(s, (ast.stmt, ast.excepthandler,
                                                                            ast.match_case))]))


def _nested(a: str, b: str) -> bool:
    return a == b or not a or not b or a.startswith(b + "/") or b.startswith(a + "/")


@rule("boundary-cross-service-import", kinds={FileKind.PYTHON}, category=Category.BOUNDARIES,
      severity=Severity.ERROR, reads_model=True)
def cross_service_import(f: SourceFile, ctx: RuleContext) -> Iterator[Hit]:
    """Code of one service imports another service's module

    Why: the import works in the monorepo and fails in the container, where the other service's
    code is not copied; where it does work, the two services can no longer be changed or
    deployed independently. Share code through a library package, and data through an API.
    (A third-party distribution the service declares, such as `redis` in requirements.txt, is
    not another service even when a folder has its name.)

    Fix:
        # libs/contracts/orders.py: a shared package both services depend on
        from contracts.orders import OrderCreated
        # or ask the owning service over HTTP
        resp = await client.get(f"{ORDERS_URL}/orders/{order_id}")
    """
    mod = f.python
    if mod is None:
        return
    model = _model(ctx)
    svc = model.owner_of(f.path)
    if svc is None or is_test_path(f.path[len(svc.root or ""):]):
        return
    third_party = declared_imports(ctx.project, posixpath.dirname(f.path))
    for node in _statements(mod.tree.body):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        else:
            continue
        for name in names:
            if name.split(".", 1)[0] in third_party:  # `import redis` is redis-py, not the redis/ folder
                continue
            target = _resolve_import(model, svc, f, name)
            if target is not None:
                yield Hit(node.lineno, f"`{name}` belongs to service `{target.name}` ({target.root}/)",
                          **_through_api(target.name, f"`{name}`"))
                break


@rule("boundary-shared-table", category=Category.BOUNDARIES, severity=Severity.WARNING, scope=Scope.PROJECT)
def shared_table(ctx: RuleContext) -> Iterator[Hit]:
    """Two services declare the same database table

    Why: two ORM models of one table in two services means two owners of one schema: each
    service's migrations and assumptions drift from the other's, and the database becomes a
    hidden integration channel. One service should own the table and publish what others need.

    Fix:
        # orders service owns the table
        class Order(Base):
            __tablename__ = "orders"
        # billing asks for it instead of mapping it
        order = (await client.get(f"{ORDERS_URL}/orders/{order_id}")).json()
    """
    model = _model(ctx)
    tables: dict[str, dict[str, list[tuple[str, int]]]] = {}
    by_name = {s.name: s for s in model.services}
    for s in model.services:
        for facts in s.facts(model):
            for name, line in facts.tables:
                if name.lower() not in _PER_SERVICE_TABLES:
                    tables.setdefault(name.lower(), {}).setdefault(s.name, []).append((facts.path, line))
    for table, by_service in tables.items():
        names = sorted(by_service)
        clashing = [n for n in names if any(m != n and _may_share(by_name[n], by_name[m]) for m in names)]
        for name in clashing:
            others = [n for n in clashing if n != name]
            other_ends = [e for n in others for e in by_service[n]]
            for end in by_service[name]:
                also = tuple(e for e in other_ends if e != end)
                detail = f"`{table}` is also mapped by {_names(others)}"
                yield Hit(end[1], detail, path=end[0], also=also, **_one_owner(table, name, others[0]))


def _may_share(a: Service, b: Service) -> bool:
    """False only when both services' databases are known and different."""
    ka, kb = {d.key for d in a.databases}, {d.key for d in b.databases}
    return not ka or not kb or bool(ka & kb)


@rule("boundary-sync-call-cycle", category=Category.BOUNDARIES, severity=Severity.ERROR, scope=Scope.PROJECT)
def sync_call_cycle(ctx: RuleContext) -> Iterator[Hit]:
    """Services call each other synchronously in a cycle

    Why: with A calling B and B calling A over HTTP or gRPC, neither can start, deploy or fail
    alone; one slow service holds threads on both sides and a retry storm loops around the cycle.
    Worst when B calls A back while A's request waits on B: every such request holds a worker
    in both services, and under load both pools fill and wait on each other until timeouts fire.
    Break the cycle: A sends what B needs in the request, or one side publishes an event the
    other consumes. Addresses are read from compose, ConfigMaps, env defaults and settings
    classes; Kubernetes names (`name`, `name.ns`, `name.ns.svc.cluster.local`) resolve to the
    workload their Service selects in that namespace only.

    Fix:
        # inventory no longer calls orders back; it consumes the event orders publishes
        await producer.send_and_wait("orders.created", OrderCreated(id=order.id).model_dump_json().encode())
    """
    model = _model(ctx)
    edges = call_edges(model)
    for cycle in call_cycles(edges):
        hops = list(zip(cycle, cycle[1:] + cycle[:1], strict=True))
        ends = _ends([e for hop in hops for e in edges[hop]])
        callback = _callback(model, cycle) if len(cycle) == 2 else None
        if callback is not None:
            (a, route, call), (b, b_path, b_call), back_path = callback
            back_shown = f"{_verb(b_call.method)}{back_path.replace('{}', '{…}')}"
            detail = (f"`{a.name}` {route.method.upper()} {route.path} waits on `{b.name}` {_verb(call.method)}"
                      f"{b_path}, which calls `{a.name}` {back_shown} back while it waits")
            fix = (f"# `{a.name}` sends in the request what `{b.name}` reads from {back_shown},\n"
                   f"# so `{b.name}` never calls `{a.name}` back while `{a.name}` waits\n"
                   f"resp = await client.{call.method if call.method != 'request' else 'post'}(\"{b_path}\", "
                   f"json={{**payload, \"{_ident(a.name)}\": snapshot}})")
            ends = _ends([(call.path, call.line), (b_call.path, b_call.line), *ends])
            yield Hit(ends[0][1], detail, path=ends[0][0], also=tuple(ends[1:]), fix=fix)
            continue
        detail = " → ".join([*cycle, cycle[0]])
        back, caller = cycle[-1], cycle[0]
        fix = (f"# `{back}` no longer calls `{caller}` back: `{caller}` publishes an event `{back}` consumes\n"
               f"await producer.send_and_wait(\"{caller}.events\", event.model_dump_json().encode())")
        yield Hit(ends[0][1], detail, path=ends[0][0], also=tuple(ends[1:]), fix=fix)


def _verb(method: str) -> str:
    return "" if method == "request" else method.upper() + " "


def _callback(model: ServiceModel, pair: list[str]) -> tuple | None:
    """A route of one service that calls the other, whose handler calls the first one back while it
    waits: ((a, route, call), (b, b's route path, b's call back), the path called back)."""
    for a_name, b_name in (pair, pair[::-1]):
        a, b = model.named(a_name), model.named(b_name)
        if a is None or b is None:
            continue
        for facts in a.facts(model):
            for route in facts.routes:
                for call in route.calls:
                    hop = resolve_call(model, a, call.template)
                    if hop is None or hop[0] is not b:
                        continue
                    for b_path, b_call, c in _next_hops(model, b, hop[1], call.method):
                        back = resolve_call(model, b, b_call.template) if c is a else None
                        if back is not None:
                            return (a, route, call), (b, b_path, b_call), back[1]
    return None


@rule("boundary-sync-call-chain", category=Category.BOUNDARIES, severity=Severity.WARNING, scope=Scope.PROJECT)
def sync_call_chain(ctx: RuleContext) -> Iterator[Hit]:
    """A request waits on a chain of three services

    Why: a route that calls a service whose handler calls a third one multiplies latency and
    failure: availability is the product of all three, and every hop needs its own timeout
    budget smaller than the caller's. Keep one synchronous hop, and move the rest to events or
    a read model the first service keeps.

    Fix:
        # orders keeps its own copy of prices, updated from pricing's events
        @app.post("/orders")
        async def create_order(body: OrderIn, db: AsyncSession = Depends(get_db)):
            stock = await inventory.get(f"/items/{body.item_id}", timeout=2.0)
            price = await db.scalar(select(Price.amount).where(Price.item_id == body.item_id))
    """
    model = _model(ctx)
    for a in model.services:
        for facts in a.facts(model):
            for route in facts.routes:
                for call in route.calls:
                    hop = resolve_call(model, a, call.template)
                    if hop is None:
                        continue
                    b, url_path = hop
                    for b_path, b_call, c in _next_hops(model, b, url_path, call.method):
                        if c is a or c is b:
                            continue
                        detail = (f"`{a.name}` {route.method.upper()} {route.path} → `{b.name}` "
                                  f"{b_path} → `{c.name}`")
                        fix = (f"# `{a.name}` keeps its own copy of what `{c.name}` provides, updated from "
                               f"`{c.name}`'s events,\n# so {route.method.upper()} {route.path} waits on "
                               f"`{b.name}` only")
                        yield Hit(call.line, detail, path=call.path, also=((b_call.path, b_call.line),), fix=fix)
                        break


def _next_hops(model: ServiceModel, b: Service, url_path: str, method: str) -> Iterator[tuple]:
    for path, route in route_index(model, b).matching(url_path):
        if method != "request" and route.method not in (method, "api_route"):
            continue
        for call in route.calls:
            hop = resolve_call(model, b, call.template)
            if hop is not None:
                yield path, call, hop[0]
