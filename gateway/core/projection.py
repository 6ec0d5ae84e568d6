"""What a projection handler is, and the two writes every handler is made of.

A handler gets the open connection, the event's loaded payload and its ``occurred_at``
(canonical text). It must overwrite rather than accumulate, so that applying a stretch of
the log again (from an older checkpoint) ends in the same rows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

Values = dict[str, Any]
ProjectionHandler = Callable[[Connection, Values, str], None]


def replace_row(connection: Connection, table: sa.Table, key: str, row: Values) -> None:
    """Delete the row with ``row[key]`` (if any) and insert ``row``."""
    # Bound parameters rather than .values(**row): the compiled statements are cached, which
    # matters when the projector follows a few hundred registrations a second.
    connection.execute(table.delete().where(table.c[key] == sa.bindparam("key")), {"key": row[key]})
    connection.execute(table.insert(), row)


def update_row(
    connection: Connection, table: sa.Table, key: str, value: str, **changes: Any
) -> int:
    """Set ``changes`` on the row whose ``key`` is ``value``; how many rows changed."""
    result = connection.execute(table.update().where(table.c[key] == value).values(**changes))
    return int(result.rowcount)
