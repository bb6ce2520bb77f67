"""Data layer: SQLAlchemy engines and sessions with the wrong lifetime (built per request, or one
session shared by every request)."""

from __future__ import annotations

from collections.abc import Iterator

from reviewer.classify import FileKind
from reviewer.model import Category, Severity
from reviewer.project import SourceFile
from reviewer.rules.registry import Hit, RuleContext, rule
from reviewer.sources.python_data import module_level_sessions, per_request_factories, serves_requests


@rule("data-engine-per-request", kinds={FileKind.PYTHON}, category=Category.RESILIENCE, severity=Severity.ERROR)
def engine_per_request(f: SourceFile, ctx: RuleContext) -> Iterator[Hit]:
    """SQLAlchemy engine or sessionmaker created per request

    Why: an engine owns a connection pool. Built inside a route or a request dependency, every
    request opens a fresh pool and new TCP + TLS + auth handshakes to the database, and the pools
    are never disposed: under load the database runs out of connections
    (`too many clients already`) and every service sharing it goes down.

    Fix:
        engine = create_async_engine(settings.database_url, pool_size=10, pool_pre_ping=True)
        SessionLocal = async_sessionmaker(engine, expire_on_commit=False)   # once, at import or in the lifespan

        async def get_session() -> AsyncIterator[AsyncSession]:
            async with SessionLocal() as session:
                yield session
    """
    mod = f.python
    if mod is None:
        return
    for fn, call, name in per_request_factories(mod):
        yield Hit(call.lineno, f"`{name}()` runs on every call of `{fn.name}`",
                  fix=f"create the {'engine' if 'engine' in name else 'session factory'} once (module level or the "
                      f"app's lifespan) and have `{fn.name}` only open a session from it:\n"
                      "    async with SessionLocal() as session:\n        yield session")


@rule("data-module-level-session", kinds={FileKind.PYTHON}, category=Category.FASTAPI, severity=Severity.ERROR)
def module_level_session(f: SourceFile, ctx: RuleContext) -> Iterator[Hit]:
    """One SQLAlchemy session shared by every request

    Why: a `Session` is a unit of work, not thread- or task-safe. Created once at import, every
    request shares its transaction and identity map: one request's rollback discards another's
    writes, concurrent requests corrupt its state (`This session is provisioning a new
    connection; concurrent operations are not permitted`), and stale objects leak between users.

    Fix:
        SessionLocal = sessionmaker(engine, expire_on_commit=False)   # the factory is shared

        def get_db() -> Iterator[Session]:
            with SessionLocal() as db:   # the session is per request
                yield db
    """
    mod = f.python
    if mod is None or not serves_requests(mod):
        return
    for name, call, callee in module_level_sessions(mod):
        factory = "SessionLocal" if callee.endswith("Session") else callee
        yield Hit(call.lineno, f"`{name} = {callee}(...)` is created at import and shared",
                  fix=f"keep the factory and open a session per request:\n\ndef get_{name}():\n"
                      f"    with {factory}() as {name}:\n        yield {name}")
