"""Comparing two read-model stores table by table, streamed: memory does not grow with the data.

Both sides are read in primary-key order, a few thousand rows at a time (a server-side cursor
on PostgreSQL), and walked side by side like a merge join, so that a million-row table costs
what a page of it costs. Text keys are ordered by their bytes on both sides (``COLLATE "C"``
on PostgreSQL, SQLite's own order), which is also Python's order of ``str``; a side that
arrives in another order stops the comparison with ``ComparisonOrderError`` rather than
reporting rows as missing that are not.

Differences name tables, ids and columns, never personal values; past ``MAX_DIFFERENCES`` they
are only counted.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

ROWS_PER_FETCH = 2000
MAX_DIFFERENCES = 1000
Key = tuple[Any, ...]


class ComparisonOrderError(Exception):
    """A store returned rows out of key order: the two sides cannot be walked together."""


class Differences:
    """The first ``MAX_DIFFERENCES`` lines, and how many there were in all."""

    def __init__(self, limit: int = MAX_DIFFERENCES) -> None:
        self.lines: list[str] = []
        self.count = 0
        self._limit = limit

    def add(self, line: str) -> None:
        self.count += 1
        if len(self.lines) < self._limit:
            self.lines.append(line)

    def as_list(self) -> list[str]:
        more = self.count - len(self.lines)
        return self.lines + ([f"... and {more} more differences"] if more else [])


def compare_tables(
    live: Connection,
    rebuilt: Connection,
    tables: Sequence[sa.Table],
    personal: frozenset[str],
    differences: Differences,
) -> None:
    """Add every difference between ``live`` and ``rebuilt`` in ``tables`` to ``differences``.

    Each connection should be inside the transaction whose snapshot is to be compared."""
    for table in sorted(tables, key=lambda table: table.name):
        names = [column.name for column in table.columns]
        ours, theirs = _rows(live, table), _rows(rebuilt, table)
        mine, other = next(ours, None), next(theirs, None)
        while mine is not None or other is not None:
            if other is None or (mine is not None and mine[0] < other[0]):
                assert mine is not None
                differences.add(f"{table.name} {_name(mine[0])}: only in the live read models")
                mine = next(ours, None)
            elif mine is None or other[0] < mine[0]:
                differences.add(
                    f"{table.name} {_name(other[0])}: missing from the live read models"
                )
                other = next(theirs, None)
            else:
                if mine[1] != other[1]:  # most rows are equal: one tuple comparison each
                    for line in _row_differences(
                        table.name,
                        _name(mine[0]),
                        dict(zip(names, mine[1], strict=True)),
                        dict(zip(names, other[1], strict=True)),
                        personal,
                    ):
                        differences.add(line)
                mine, other = next(ours, None), next(theirs, None)


def _rows(connection: Connection, table: sa.Table) -> Iterator[tuple[Key, tuple[Any, ...]]]:
    """The table's rows in key order: (key, the row's values in the table's column order)."""
    keys = list(table.primary_key.columns)
    where = [list(table.columns).index(key) for key in keys]
    postgres = connection.dialect.name == "postgresql"
    order = [
        key.collate("C") if postgres and isinstance(key.type, sa.String) else key for key in keys
    ]
    result = connection.execution_options(stream_results=True, yield_per=ROWS_PER_FETCH).execute(
        sa.select(*table.columns).order_by(*order)
    )
    previous: Key | None = None
    for row in result:
        values = tuple(row)
        key = tuple(values[index] for index in where)
        if previous is not None and not previous < key:
            raise ComparisonOrderError(
                f"{table.name}: the {connection.dialect.name} store returned its rows out of "
                "key order; the comparison cannot go on"
            )
        previous = key
        yield key, values


def _name(key: Key) -> str:
    return "/".join(str(part) for part in key)


def _row_differences(
    table: str, key: str, live: dict[str, Any], rebuilt: dict[str, Any], personal: frozenset[str]
) -> Iterator[str]:
    for column in sorted(live.keys() | rebuilt.keys()):
        if live.get(column) == rebuilt.get(column):
            continue
        if column in personal:
            yield f"{table} {key}: {column} differs"
        else:
            yield (
                f"{table} {key}: {column} is {live.get(column)!r} live, "
                f"{rebuilt.get(column)!r} replayed"
            )
