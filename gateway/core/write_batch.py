"""Many events' row writes sent as a few ``executemany`` calls instead of two statements each.

The projector hands its handlers a ``WriteBatch`` in place of the connection. The two writes
every handler is made of (``replace_row`` and ``set_row`` in ``gateway.core.projection``) are
only recorded; anything else a handler does through it (a read, a statement of its own, a
write whose row count it needs) first sends everything recorded, in order, and then runs as it
would have, so a handler always sees the rows the events before it wrote.

Recorded writes are grouped by shape (replace or set, table, key column, columns): one
``executemany`` per group. A write joins the latest group of its shape only when that group
comes after every group already holding a write to the same row (same table, key column and
key value), so each row still receives its writes in log order; writes to different rows
commute. A table written through two different key columns is sent before the second one
is recorded (the two could name the same rows).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

Shape = tuple[str, str, str, tuple[str, ...]]  # kind, table, key column, columns
PAGE_ROWS = 1000  # rows per round trip on PostgreSQL (a live batch is at most 500 events)
_statements: dict[tuple[str, sa.Table, str, tuple[str, ...]], Any] = {}


@dataclass
class _Group:
    kind: str  # "replace" or "set"
    table: sa.Table
    key: str
    rows: list[dict[str, Any]] = field(default_factory=list)


class WriteBatch:
    """Records row writes and sends them grouped; any other use of the connection sends first."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self._groups: list[_Group] = []
        self._latest: dict[Shape, int] = {}  # shape -> index of its latest group
        self._row_at: dict[tuple[str, str, Any], int] = {}  # row -> its latest group
        self._key_of: dict[str, str] = {}  # table -> the key column its pending writes use

    def replace(self, table: sa.Table, key: str, row: dict[str, Any]) -> None:
        self._record("replace", table, key, row[key], row)

    def set(self, table: sa.Table, key: str, value: Any, changes: dict[str, Any]) -> None:
        self._record(
            "set", table, key, value, {f"v_{k}": v for k, v in changes.items()} | {"k_": value}
        )

    def _record(
        self, kind: str, table: sa.Table, key: str, value: Any, row: dict[str, Any]
    ) -> None:
        if self._key_of.setdefault(table.name, key) != key:
            self.flush()
            self._key_of[table.name] = key
        shape: Shape = (kind, table.name, key, tuple(row))
        row_id = (table.name, key, value)
        last_write = self._row_at.get(row_id, -1)
        latest = self._latest.get(shape, -1)
        # A set may follow a set of the same row in one group: executemany keeps their order.
        joins = latest > last_write or (kind == "set" and latest == last_write >= 0)
        if not joins:
            self._groups.append(_Group(kind, table, key))
            latest = self._latest[shape] = len(self._groups) - 1
        self._groups[latest].rows.append(row)
        self._row_at[row_id] = latest

    def flush(self) -> None:
        """Send every recorded write, group by group."""
        for group in self._groups:
            columns = tuple(group.rows[0])
            if group.kind == "replace":
                delete = _statement("delete", group.table, group.key, ())
                self._send(delete, [{"k_": row[group.key]} for row in group.rows])
                self._send(_statement("insert", group.table, group.key, columns), group.rows)
            else:
                update = _statement("set", group.table, group.key, columns)
                self._send(update, group.rows)
        self._groups.clear()
        self._latest.clear()
        self._row_at.clear()
        self._key_of.clear()

    def _send(self, statement: Any, rows: list[dict[str, Any]]) -> None:
        """One ``executemany``; on SQLite straight through the driver's cursor with the
        statement compiled once (SQLAlchemy's per-row parameter processing was a third of a
        replay's write time), with the columns' own bind processors (JSON, booleans). On
        PostgreSQL (psycopg2) the group goes out in one round trip (``_send_postgresql``)."""
        if not rows:
            return
        if self.connection.dialect.name == "postgresql":
            self._send_postgresql(statement, rows)
            return
        plan = _sqlite_plan(statement, self.connection)
        if plan is None or set(plan[0]) != rows[0].keys():
            self.connection.execute(statement, rows)
            return
        names, processors, sql = plan
        pick = itemgetter(*names)
        values: list[Any] = [pick(row) for row in rows]
        if len(names) == 1:
            values = [(value,) for value in values]
        if processors:
            values = [_processed(row, processors) for row in values]
        cursor = self.connection.connection.cursor()
        try:
            cursor.executemany(sql, values)
        finally:
            cursor.close()

    def _send_postgresql(self, statement: Any, rows: list[dict[str, Any]]) -> None:
        """A group's statements joined into one round trip (psycopg2's ``execute_batch``),
        in order, with the columns' own bind processors. psycopg2's ``executemany`` (which
        SQLAlchemy uses for deletes and updates) sends one statement per row and waits for
        each: under eventlet each wait gave the hub to the requests, and the live read models
        fell seconds behind. Inserts SQLAlchemy already sends as multi-row VALUES."""
        plan = _postgresql_plan(statement, self.connection)
        if plan is None or set(plan[0]) != rows[0].keys():
            self.connection.execute(statement, rows)
            return
        # Only where the driver is psycopg2 (untyped: no stubs in the project's tools).
        from psycopg2.extras import execute_batch  # type: ignore[import-untyped]

        _names, processors, sql = plan
        if processors:
            rows = [_processed_named(row, processors) for row in rows]
        cursor = self.connection.connection.cursor()
        try:
            execute_batch(cursor, sql, rows, page_size=PAGE_ROWS)
        finally:
            cursor.close()

    def execute(self, *args: Any, **kwargs: Any) -> Any:
        self.flush()
        return self.connection.execute(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        self.flush()
        return getattr(self.connection, name)


def _statement(kind: str, table: sa.Table, key: str, columns: tuple[str, ...]) -> Any:
    """Built once per shape, so SQLAlchemy's compiled cache serves every later batch."""
    cached = _statements.get((kind, table, key, columns))
    if cached is None:
        where = table.c[key] == sa.bindparam("k_")
        if kind == "insert":
            cached = table.insert()
        elif kind == "delete":
            cached = table.delete().where(where)
        else:
            names = [name.removeprefix("v_") for name in columns if name != "k_"]
            cached = table.update().where(where).values({n: sa.bindparam(f"v_{n}") for n in names})
        _statements[(kind, table, key, columns)] = cached
    return cached


def _processed_named(
    row: dict[str, Any], processors: tuple[tuple[str, Any], ...]
) -> dict[str, Any]:
    values = dict(row)
    for name, processor in processors:
        values[name] = processor(values[name])
    return values


def _processed(row: tuple[Any, ...], processors: tuple[tuple[int, Any], ...]) -> list[Any]:
    values = list(row)
    for index, processor in processors:
        values[index] = processor(values[index])
    return values


_Plan = tuple[tuple[str, ...], tuple[Any, ...], str]
_sqlite_plans: dict[Any, _Plan | None] = {}  # statement (built once: ``_statement``) -> plan


def _sqlite_plan(statement: Any, connection: Connection) -> _Plan | None:
    """The statement's SQLite text, its parameters' names in order and their processors;
    None off SQLite or where SQLAlchemy must fill something in itself (a column default)."""
    if connection.dialect.name != "sqlite":
        return None
    if statement not in _sqlite_plans:
        compiled = statement.compile(dialect=connection.dialect)
        found: _Plan | None = None
        if compiled.positional and not compiled.insert_prefetch:
            names = tuple(compiled.positiontup)
            bound = compiled._bind_processors
            processors = tuple((i, bound[name]) for i, name in enumerate(names) if name in bound)
            found = (names, processors, compiled.string)
        _sqlite_plans[statement] = found
    return _sqlite_plans[statement]


_postgresql_plans: dict[Any, _Plan | None] = {}  # statement -> plan, as ``_sqlite_plans``


def _postgresql_plan(statement: Any, connection: Connection) -> _Plan | None:
    """The statement's psycopg2 text (named parameters), its parameters' names and their
    processors by name; None off psycopg2, for inserts (SQLAlchemy sends those as multi-row
    VALUES already) or where SQLAlchemy must fill something in itself."""
    if connection.dialect.driver != "psycopg2" or statement.is_insert:
        return None
    if statement not in _postgresql_plans:
        compiled = statement.compile(dialect=connection.dialect)
        found: _Plan | None = None
        if not compiled.positional and not compiled.insert_prefetch:
            names = tuple(compiled.bind_names.values())
            bound = compiled._bind_processors
            processors = tuple((name, bound[name]) for name in names if name in bound)
            found = (names, processors, compiled.string)
        _postgresql_plans[statement] = found
    return _postgresql_plans[statement]
