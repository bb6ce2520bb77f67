"""Alembic migrations and the ORM tables they act on, as the migration rules read them.

A *migration* is a module that imports Alembic's ``op`` and defines ``upgrade()``. Its schema
operations are read from ``upgrade()`` only (``downgrade()`` runs on a rollback, by hand), with
``op.batch_alter_table("t") as batch_op`` resolved to its table. The *mapped columns* of a tree
are what its ORM code selects on every query of a table: the columns of SQLAlchemy declarative
classes (``__tablename__``), SQLModel ``table=True`` classes (named after the class) and Core
``Table("t", metadata, Column("c"), ...)`` objects.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from reviewer.sources.python_ast import PythonModule, const_str, dotted, is_const, keyword, walk_own_body

_COLUMN_FACTORIES = frozenset({"Column", "mapped_column", "Field", "column_property"})
_NOT_COLUMNS = frozenset({"relationship", "Relationship", "association_proxy", "synonym", "backref"})


@dataclass(frozen=True)
class SchemaOp:
    """One schema operation of ``upgrade()``: what it does, to which table and column."""

    action: str  # drop_column | rename_column | drop_table | rename_table | add_column
    table: str
    column: str | None
    call: ast.Call
    new_name: str | None = None
    not_null_without_default: bool = False  # add_column only

    @property
    def line(self) -> int:
        return self.call.lineno


@dataclass(frozen=True)
class MappedColumn:
    """A column the ORM code of a tree maps (and so selects): ``Order.status`` in app/models.py."""

    table: str
    column: str
    owner: str  # the class (or Table variable) that maps it
    path: str
    line: int


def is_migration(mod: PythonModule) -> bool:
    return "upgrade" in mod.functions and any(q == "alembic.op" for q in mod.imports.names.values())


def is_alembic_script(mod: PythonModule) -> bool:
    """A module Alembic runs (a revision, ``env.py``), wherever its folder is: not the service's code."""
    return any(q == "alembic" or q.startswith("alembic.") for q in mod.imports.names.values())


def _op_names(mod: PythonModule) -> set[str]:
    return {local for local, q in mod.imports.names.items() if q == "alembic.op"}


def _batch_tables(fn: ast.AST, ops: set[str]) -> dict[str, str]:
    """``with op.batch_alter_table("orders") as batch_op`` -> {"batch_op": "orders"}."""
    out = {}
    for node in walk_own_body(fn):
        if isinstance(node, ast.With | ast.AsyncWith):
            for item in node.items:
                call, var = item.context_expr, item.optional_vars
                if (isinstance(call, ast.Call) and isinstance(var, ast.Name) and dotted(call.func) in
                        {f"{o}.batch_alter_table" for o in ops} and (table := _arg(call, 0, "table_name"))):
                    out[var.id] = table
    return out


def _arg(call: ast.Call, index: int, name: str) -> str | None:
    kw = keyword(call, name)
    if kw is not None:
        return const_str(kw.value)
    return const_str(call.args[index]) if len(call.args) > index else None


def _column_call(node: ast.AST | None) -> ast.Call | None:
    if isinstance(node, ast.Call) and (dotted(node.func) or "").rsplit(".", 1)[-1] == "Column":
        return node
    return None


def _not_null_without_default(column: ast.Call) -> bool:
    nullable = keyword(column, "nullable")
    primary = keyword(column, "primary_key")
    if nullable is None or not is_const(nullable.value, False) or (primary and is_const(primary.value, True)):
        return False
    if any(_callee(a) in ("Identity", "Computed", "Sequence") for a in column.args):
        return False  # the database fills it
    default = keyword(column, "server_default")
    return default is None or is_const(default.value, None)


def upgrade_ops(mod: PythonModule) -> list[SchemaOp]:
    """The schema operations of ``upgrade()``, in order; tables it creates are left out of add_column."""
    fn = mod.functions.get("upgrade")
    if fn is None:
        return []
    ops = _op_names(mod)
    batches = _batch_tables(fn, ops)
    out: list[SchemaOp] = []
    created: set[str] = set()
    for node in walk_own_body(fn):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        receiver, action = dotted(node.func.value) or "", node.func.attr
        if receiver in ops:
            table, shift = _arg(node, 0, "table_name"), 1
        elif receiver in batches:
            table, shift = batches[receiver], 0
        else:
            continue
        if table is None:
            continue
        if action == "create_table":
            created.add(table)
        elif action == "drop_table" and shift:
            out.append(SchemaOp("drop_table", table, None, node))
        elif action == "rename_table" and shift:
            out.append(SchemaOp("rename_table", table, None, node, new_name=_arg(node, 1, "new_table_name")))
        elif action == "drop_column" and (column := _arg(node, shift, "column_name")):
            out.append(SchemaOp("drop_column", table, column, node))
        elif action == "alter_column" and (column := _arg(node, shift, "column_name")):
            new = keyword(node, "new_column_name")
            if new is not None and (renamed := const_str(new.value)) and renamed != column:
                out.append(SchemaOp("rename_column", table, column, node, new_name=renamed))
        elif action == "add_column" and table not in created:
            col = _column_call(node.args[shift] if len(node.args) > shift else None)
            if col is not None and (name := _arg(col, 0, "name")):
                out.append(SchemaOp("add_column", table, name, node,
                                    not_null_without_default=_not_null_without_default(col)))
    return out


def created_tables(mod: PythonModule) -> set[str]:
    """Tables ``upgrade()`` creates."""
    fn = mod.functions.get("upgrade")
    ops = _op_names(mod)
    return {t for n in (walk_own_body(fn) if fn else ()) if isinstance(n, ast.Call)
            and dotted(n.func) in {f"{o}.create_table" for o in ops} and (t := _arg(n, 0, "table_name"))}


def _class_table(cls: ast.ClassDef) -> str | None:
    for stmt in cls.body:
        if (isinstance(stmt, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__tablename__"
                                                 for t in stmt.targets)):
            return const_str(stmt.value)
    if any(kw.arg == "table" and is_const(kw.value, True) for kw in cls.keywords):
        return cls.name.lower()  # SQLModel names the table after the class
    return None


def _callee(node: ast.AST | None) -> str:
    return (dotted(node.func) or "").rsplit(".", 1)[-1] if isinstance(node, ast.Call) else ""


def _class_columns(cls: ast.ClassDef, sqlmodel: bool) -> Iterator[tuple[str, int]]:
    for stmt in cls.body:
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            name, value = stmt.target.id, stmt.value
            mapped = "Mapped" in ast.unparse(stmt.annotation) or sqlmodel or _callee(value) in _COLUMN_FACTORIES
        elif isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            name, value = stmt.targets[0].id, stmt.value
            mapped = _callee(value) in _COLUMN_FACTORIES
        else:
            continue
        if not mapped or name.startswith("__") or _callee(value) in _NOT_COLUMNS or "ClassVar" in ast.unparse(
                getattr(stmt, "annotation", ast.Constant(None))):
            continue
        explicit = const_str(value.args[0]) if isinstance(value, ast.Call) and value.args else None
        yield explicit or name, stmt.lineno


def mapped_columns(mod: PythonModule, tables: Iterable[str]) -> Iterator[MappedColumn]:
    """The columns of ``tables`` that the module's ORM classes and Core ``Table`` objects map."""
    wanted = set(tables)
    for node in mod.nodes:
        if isinstance(node, ast.ClassDef) and (table := _class_table(node)) in wanted:
            sqlmodel = any(kw.arg == "table" for kw in node.keywords)
            for column, line in _class_columns(node, sqlmodel):
                yield MappedColumn(table, column, node.name, mod.path, line)
        elif isinstance(node, ast.Call) and _callee(node) == "Table" and (table := _arg(node, 0, "name")) in wanted:
            for col in node.args[2:]:
                if (c := _column_call(col)) is not None and (name := const_str(c.args[0]) if c.args else None):
                    yield MappedColumn(table, name, f"Table({table!r})", mod.path, col.lineno)
