"""What a projection handler is, and the writes every handler is made of.

A handler gets the open connection, the event's loaded payload and its ``occurred_at``
(canonical text). It must overwrite rather than accumulate, so that applying a stretch of
the log again (from an older checkpoint) ends in the same rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from gateway.core.tables import personal_columns
from gateway.core.write_batch import WriteBatch

Values = dict[str, Any]
ProjectionHandler = Callable[[Connection, Values, str], None]


class Projected(Protocol):
    """What a replay needs of a section: its handlers and the tables they keep (a
    ``gateway.core.section.Section``, or a ``ReadModel`` without the section's routes)."""

    @property
    def projection(self) -> Mapping[str, ProjectionHandler]: ...

    @property
    def tables(self) -> tuple[sa.Table, ...]: ...

    @property
    def personal_columns(self) -> frozenset[str]: ...


@dataclass(frozen=True)
class ReadModel:
    """A section's read models alone: its projection and tables, none of its HTTP side (a
    replay imports these, ``gateway.readmodels``, not the gateway's routes)."""

    name: str
    projection: Mapping[str, ProjectionHandler]
    tables: tuple[sa.Table, ...]

    @property
    def personal_columns(self) -> frozenset[str]:
        return personal_columns(self.tables)


def projection_of(sections: Iterable[Projected]) -> dict[str, ProjectionHandler]:
    """Every section's projection handlers by event type; a type has one handler."""
    handlers: dict[str, ProjectionHandler] = {}
    for section in sections:
        for event_type, handler in section.projection.items():
            if event_type in handlers:
                raise ValueError(f"{event_type} is projected by two sections")
            handlers[event_type] = handler
    return handlers


def replace_row(
    connection: Connection | WriteBatch, table: sa.Table, key: str, row: Values
) -> None:
    """Delete the row with ``row[key]`` (if any) and insert ``row`` (recorded, when the
    projector batches its writes: ``gateway.core.write_batch``)."""
    if isinstance(connection, WriteBatch):
        connection.replace(table, key, row)
        return
    # Bound parameters rather than .values(**row): the compiled statements are cached, which
    # matters when the projector follows a few hundred registrations a second.
    connection.execute(table.delete().where(table.c[key] == sa.bindparam("key")), {"key": row[key]})
    connection.execute(table.insert(), row)


def set_row(
    connection: Connection | WriteBatch, table: sa.Table, key: str, value: str, **changes: Any
) -> None:
    """Set ``changes`` on the rows whose ``key`` is ``value`` (recorded, when the projector
    batches its writes; ``update_row`` when the handler needs the row count)."""
    if isinstance(connection, WriteBatch):
        connection.set(table, key, value, changes)
        return
    update_row(connection, table, key, value, **changes)


def update_row(
    connection: Connection, table: sa.Table, key: str, value: str, **changes: Any
) -> int:
    """Set ``changes`` on the row whose ``key`` is ``value``; how many rows changed."""
    result = connection.execute(table.update().where(table.c[key] == value).values(**changes))
    return int(result.rowcount)
