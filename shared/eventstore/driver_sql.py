"""Hot statements rendered once per dialect and run on the driver's own cursor.

Every registration runs the same few statements (the append, the outbox mark, the ID-number
claim). Through SQLAlchemy's ``Connection.execute`` each one cost about twice what the driver
spends on it: the execution context, the events, the result wrapper (docs/performance.md,
"The command path"). A ``DriverStatement`` renders its Core statement once for each dialect it
meets (SQLite's ``?`` or psycopg2's ``%(name)s``) and hands it to the driver's cursor in the
connection's current transaction. A driver error comes out as SQLAlchemy's own exception
(``IntegrityError`` and the rest, parameters hidden), and a lost connection is invalidated,
as SQLAlchemy would have done.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.sql.compiler import SQLCompiler

Arrange = Callable[[Mapping[str, Any]], Any]


class DriverStatement:
    """A Core statement with bound parameters, run through the driver directly."""

    def __init__(self, statement: sa.sql.ClauseElement) -> None:
        self._statement = statement
        self._rendered: dict[str, tuple[str, Arrange]] = {}

    def rendered(self, dialect: Dialect) -> tuple[str, Arrange]:
        """The SQL text for ``dialect`` and how a call's parameters become the driver's."""
        found = self._rendered.get(dialect.name)
        if found is None:
            found = self._rendered[dialect.name] = _render(self._statement, dialect)
        return found

    def run(self, connection: Connection, parameters: Mapping[str, Any]) -> Any:
        """Execute with ``parameters`` in the connection's transaction; the driver's cursor
        (rows, ``rowcount``) is the answer."""
        return self._execute(
            connection, lambda cursor, sql, arrange: cursor.execute(sql, arrange(parameters))
        )

    def run_many(self, connection: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
        """Execute once per row of parameters, in one call of the driver (``executemany``)."""
        self._execute(
            connection,
            lambda cursor, sql, arrange: cursor.executemany(sql, [arrange(row) for row in rows]),
        ).close()

    def _execute(self, connection: Connection, call: Callable[[Any, str, Arrange], object]) -> Any:
        if not connection.in_transaction():  # never autocommitted, statement by statement
            connection.begin()
        dialect = connection.dialect
        sql, arrange = self.rendered(dialect)
        driver = connection.connection.dbapi_connection
        assert driver is not None  # a connection in a transaction always has one
        cursor = driver.cursor()
        try:
            call(cursor, sql, arrange)
        except dialect.loaded_dbapi.Error as error:
            lost = dialect.is_disconnect(error, driver, cursor)
            if lost:
                connection.invalidate(error)
            raise sa.exc.DBAPIError.instance(
                sql,
                None,
                error,
                dialect.loaded_dbapi.Error,
                hide_parameters=True,  # a driver's message must never quote a student
                connection_invalidated=lost,
                dialect=dialect,
            ) from error
        return cursor


class DriverInSelect:
    """``SELECT columns WHERE key IN (values)`` as driver statements of a few fixed sizes, the
    last value repeated to fill one: an ``IN`` list of another length on every call would be
    SQL text of its own, and SQLite's statement cache keeps each one compiled (a third of a
    megabyte per replay batch, docs/performance.md, "A log sealed as in production")."""

    SIZES = (1, 8, 64, 512)

    def __init__(self, columns: Sequence[sa.ColumnElement[Any]], key: sa.ColumnElement[Any]):
        self._columns = tuple(columns)
        self._key = key
        self._statements: dict[int, DriverStatement] = {}

    def rows(self, connection: Connection, values: Sequence[Any]) -> list[Any]:
        """The driver's rows of every value (one row per match; repeats answer once)."""
        found: list[Any] = []
        start = 0
        while start < len(values):
            size = next((n for n in self.SIZES if n >= len(values) - start), self.SIZES[-1])
            chunk = list(values[start : start + size])
            chunk += [chunk[-1]] * (size - len(chunk))
            cursor = self._statement(size).run(
                connection, {f"v_{i}": value for i, value in enumerate(chunk)}
            )
            found += cursor.fetchall()
            cursor.close()
            start += size
        return found

    def _statement(self, size: int) -> DriverStatement:
        statement = self._statements.get(size)
        if statement is None:
            wanted: list[sa.BindParameter[Any]] = [sa.bindparam(f"v_{i}") for i in range(size)]
            query = sa.select(*self._columns).where(self._key.in_(wanted))
            statement = self._statements[size] = DriverStatement(query)
        return statement


def _render(statement: sa.sql.ClauseElement, dialect: Dialect) -> tuple[str, Arrange]:
    compiled = cast(SQLCompiler, statement.compile(dialect=dialect))
    if compiled._bind_processors:  # none of the hot statements' types has one
        raise TypeError("a driver statement's parameters must need no conversion")
    constants = {name: value for name, value in compiled.params.items() if value is not None}
    if compiled.positional:
        order = tuple(compiled.positiontup or ())

        def positional(parameters: Mapping[str, Any]) -> tuple[Any, ...]:
            return tuple(
                parameters[name] if name in parameters else constants[name] for name in order
            )

        return compiled.string, positional

    def named(parameters: Mapping[str, Any]) -> dict[str, Any]:
        return constants | dict(parameters)

    return compiled.string, named
