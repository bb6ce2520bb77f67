"""Data layer: SQLAlchemy engines and sessions with the wrong lifetime (built per request, one
session shared by every request, a session a loop keeps using after a failure)."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from reviewer.classify import FileKind, is_test_path
from reviewer.model import Category, Severity
from reviewer.project import SourceFile
from reviewer.rules.registry import Hit, RuleContext, rule
from reviewer.sources.python_data import module_level_sessions, per_request_factories, serves_requests
from reviewer.sources.python_transactions import swallowed_failures


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


@rule("data-session-not-rolled-back", kinds={FileKind.PYTHON}, category=Category.RESILIENCE,
      severity=Severity.WARNING)
def session_not_rolled_back(f: SourceFile, ctx: RuleContext) -> Iterator[Hit]:
    """A loop goes on with its database session after a failure, without a rollback

    Why: when a flush or commit fails, SQLAlchemy marks the session's transaction as failed (and
    PostgreSQL aborts it): every later statement on that session raises `PendingRollbackError` /
    `current transaction is aborted, commands ignored until end of transaction block` until
    someone calls `rollback()`. A worker loop that logs the error and carries on with the same
    session turns one bad row into a worker that fails every message after it, while still
    looking alive.

    Fix:
        while True:
            job = await queue.get()
            try:
                session.add(Result.from_job(job))
                await session.commit()
            except SQLAlchemyError:
                await session.rollback()   # or: async with SessionLocal() as session, session.begin(): per job
                log.exception("job %s failed", job.id)
    """
    mod = f.python
    if mod is None or is_test_path(f.path):
        return
    for s in swallowed_failures(mod):
        h = s.handler
        call = f"{'await ' if s.awaited else ''}{s.session}.rollback()"
        caught = ast.unparse(h.type) if h.type is not None else "everything"
        where = f"`{s.function.name}`" if s.function is not None else "the module"
        yield Hit(h.lineno, f"the loop in {where} catches {caught} and carries on with `{s.session}` without "
                            f"`{s.session}.rollback()`: after one failed statement every later turn fails",
                  fix=f"call `{call}` first thing in the `except`, or open a session per turn "
                      f"(`with SessionLocal() as {s.session}, {s.session}.begin():`) so a failure cannot outlive it",
                  suggestion=_with_rollback(f, h, call))


def _with_rollback(f: SourceFile, h: ast.ExceptHandler, call: str) -> str | None:
    """The handler's header followed by the rollback, indented as its body."""
    first = h.body[0]
    header = f.line_text(h.lineno)
    if first.lineno != h.lineno + 1 or not header.split("#", 1)[0].rstrip().endswith(":"):
        return None
    body = f.line_text(first.lineno)
    indent = body[: len(body) - len(body.lstrip())]
    return f"{header}\n{indent}{call}"
