"""Schema migrations shipped with the code in an order that breaks the version still running.

During a rollout the migration runs first (a Job, a Helm hook, the first pod) and the old pods go
on serving until they are replaced: whatever the migration removes, the running version must
already do without (expand/contract). These rules read a migration the PR adds against the
base tree, the code that is running while it is applied; without a base they say nothing.
"""

from __future__ import annotations

from collections.abc import Iterator

from reviewer.classify import FileKind
from reviewer.diff import FileStatus
from reviewer.model import Category, Severity
from reviewer.project import Project, SourceFile
from reviewer.rules.registry import Hit, RuleContext, rule
from reviewer.sources.migrations import (
    MappedColumn,
    SchemaOp,
    created_tables,
    is_migration,
    mapped_columns,
    upgrade_ops,
)

_REMOVING = {"drop_column", "rename_column", "drop_table", "rename_table"}


def _migration_ops(f: SourceFile) -> list[SchemaOp]:
    mod = f.python
    if mod is None or "alembic" not in f.text or not is_migration(mod):
        return []
    return upgrade_ops(mod)


def _is_new(path: str, ctx: RuleContext) -> bool:
    """The migration comes with this change (it is not one the running version already applied)."""
    if ctx.changes is not None:
        change = ctx.changes.get(path)
        return change is not None and change.status is FileStatus.ADDED
    return ctx.base is not None and ctx.base.get(path) is None


def _app_root(migration: str) -> str:
    """The folder that holds the migrations' folder (``backend/`` of ``backend/alembic/versions/x.py``):
    the models the migration acts on live under it."""
    parts = migration.split("/")[:-1]
    if parts and parts[-1] == "versions":
        parts = parts[:-2]
    return "/".join(parts) + "/" if parts else ""


def _mapped(base: Project, tables: set[str], root: str) -> list[MappedColumn]:
    """What the base tree's ORM code under ``root`` maps of ``tables`` (migrations left out: they are
    not the app)."""
    out: list[MappedColumn] = []
    for path in sorted(p for p in base.python_paths() if p.startswith(root)):
        f = base.get(path)
        if f is None or not any(t in f.text.lower() for t in tables):
            continue
        mod = f.python
        if mod is not None and not is_migration(mod):
            out += mapped_columns(mod, tables)
    return out


def _still_read(op: SchemaOp, mapped: list[MappedColumn]) -> MappedColumn | None:
    for m in mapped:
        if m.table == op.table and (op.column is None or m.column == op.column):
            return m
    return None


def _breakage(op: SchemaOp, m: MappedColumn) -> tuple[str, str]:
    """(what the running version does with it, the expand/contract fix) for one removing op."""
    where = f"{m.path}:{m.line}"
    if op.action == "drop_table":
        return (f"drops table `{op.table}` that the running version still maps (`{m.owner}`, {where})",
                f"stop using `{m.owner}` in one release, and drop `{op.table}` in a migration of the next")
    if op.action == "rename_table":
        return (f"renames table `{op.table}` to `{op.new_name}` while the running version still maps "
                f"`{m.owner}` to `{op.table}` ({where})",
                f"create `{op.new_name}` and keep `{op.table}` readable (a view, or writes to both) until "
                f"no running code uses it; rename in two releases")
    if op.action == "rename_column":
        return (f"renames `{op.table}.{op.column}` to `{op.new_name}` while the running version still maps "
                f"`{m.owner}.{op.column}` ({where})",
                f"expand/contract: add `{op.new_name}` as a nullable column, write both and backfill, switch reads "
                f"to `{op.new_name}` in this release, and drop `{op.column}` in the next")
    return (f"drops `{op.table}.{op.column}` that the running version still maps (`{m.owner}.{op.column}`, "
            f"{where})",
            f"ship the code that no longer maps `{op.column}` first, and drop the column in a migration of the "
            f"next release (the old pods select every mapped column of `{m.owner}`)")


@rule("data-migration-breaks-running-code", kinds={FileKind.PYTHON}, category=Category.OPERABILITY,
      severity=Severity.ERROR)
def migration_breaks_running_code(f: SourceFile, ctx: RuleContext) -> Iterator[Hit]:
    """Migration drops or renames a column or table the running version still reads

    Why: the migration runs before the rollout replaces the old pods, and they keep serving until
    it ends. An ORM model selects every column it maps, so once a mapped column or table is dropped
    or renamed every query of the old version on that table fails
    (`column orders.legacy_code does not exist`): an outage as long as the rollout, and for good
    if the rollout is rolled back. Removing schema is the last step of expand/contract, a release
    after the code stopped reading it.

    Fix:
        # release N: the model stops mapping the column, nothing else changes
        class Order(Base):
            __tablename__ = "orders"
            id: Mapped[int] = mapped_column(primary_key=True)
        # release N+1: the migration
        def upgrade() -> None:
            op.drop_column("orders", "legacy_code")
    """
    if ctx.base is None:
        return
    ops = [op for op in _migration_ops(f) if op.action in _REMOVING]
    if not ops:
        return
    mapped = _mapped(ctx.base, {op.table for op in ops}, _app_root(f.path))
    # a column dropped and then re-created by renaming another onto its name is replaced, not gone
    replacing = {(op.table, op.new_name): op.column for op in ops if op.action == "rename_column"}
    for op in ops:
        m = _still_read(op, mapped)
        if m is None:
            continue
        source = replacing.get((op.table, op.column)) if op.action == "drop_column" else None
        if source is not None:
            detail, fix = (f"replaces `{op.table}.{op.column}` with `{source}` renamed onto its name, while the "
                           f"running version maps `{m.owner}.{op.column}` ({m.path}:{m.line}) to the old column",
                           f"keep `{op.column}` until no running code reads it: add `{source}`, write both, switch "
                           "reads in this release and swap the columns in the next (or plan this release with "
                           "downtime)")
        else:
            detail, fix = _breakage(op, m)
        yield Hit(op.line, f"this migration {detail}: until the rollout ends its queries on `{op.table}` fail",
                  fix=fix)


@rule("data-migration-not-null-without-default", kinds={FileKind.PYTHON}, category=Category.OPERABILITY,
      severity=Severity.WARNING)
def migration_not_null_without_default(f: SourceFile, ctx: RuleContext) -> Iterator[Hit]:
    """Migration adds a NOT NULL column without a server default to an existing table

    Why: `ALTER TABLE ... ADD COLUMN ... NOT NULL` with no server default fails on a table that has
    rows (`column "currency" contains null values`), so the release stops at its migration; where it
    passes, the version still running inserts rows without the new column and every such INSERT
    fails until the rollout ends. A Python-side `default=` does not help: the database never sees it.

    Fix:
        op.add_column("orders", sa.Column("currency", sa.String(3), nullable=False, server_default="EUR"))
        # or: add it nullable, backfill, and set nullable=False in the next release
    """
    if not _is_new(f.path, ctx):
        return
    ops = [op for op in _migration_ops(f) if op.action == "add_column" and op.not_null_without_default]
    if not ops:
        return
    fresh = _tables_created_by_change(ctx, f.path)
    for op in ops:
        if op.table in fresh:
            continue
        yield Hit(op.line, f"`{op.table}.{op.column}` is added NOT NULL with no `server_default`: the migration "
                           f"fails on a table with rows, and the running version's INSERTs into `{op.table}` fail",
                  fix=f"give `{op.column}` a `server_default=` the database applies to existing and old-code rows, "
                      f"or add it nullable, backfill it, and set `nullable=False` in the next release")


def _tables_created_by_change(ctx: RuleContext, own: str) -> set[str]:
    """Tables created by the migrations this change adds (a new table has no rows, no old writers)."""
    out: set[str] = set()
    paths = ([p for p, c in ctx.changes.files.items() if c.status is FileStatus.ADDED]
             if ctx.changes is not None else [p for p in ctx.project.python_paths()
                                              if ctx.base is not None and ctx.base.get(p) is None])
    for path in paths:
        f = ctx.project.get(path)
        if f is not None and path.endswith(".py") and "alembic" in f.text and (mod := f.python) and is_migration(mod):
            out |= created_tables(mod)
    return out
