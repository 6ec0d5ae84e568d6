"""That the envelope's columns are still derived from the hashed text, as ``tables.py`` says.

Nobody can write a generated column, so its values always say what the stored envelope says,
as long as the table is the one the migration made. Someone who can change the schema can make
a column plain again and write it (PostgreSQL: ``ALTER COLUMN … DROP EXPRESSION``; SQLite:
rebuild the table, or edit its schema text), and ``verify`` would never see it, since it hashes
only the envelope. So ``verify`` first compares the schema with the declared one: SQLite's
stored ``CREATE TABLE`` text with ``tables.sqlite_event_log_ddl()``, PostgreSQL's generation
expression of each derived column with the declared one as PostgreSQL prints it back.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from shared.eventlog.tables import DERIVED, sqlite_event_log_ddl

_CHANGED = (
    "the event_log table's schema was changed: {what}, so what readers see there may differ "
    "from the hashed envelopes"
)


_UNMIGRATED = (
    "the event_log table has no stored envelopes: it was written by an older Gravity "
    "(run gravity migrate, which keeps every hash)"
)


def schema_problem(connection: Connection) -> str | None:
    """Why the derived columns cannot be trusted, or None if the schema is as declared."""
    if "envelope" not in {
        column["name"] for column in sa.inspect(connection).get_columns("event_log")
    }:
        return _UNMIGRATED
    if connection.dialect.name == "sqlite":
        return _sqlite_problem(connection)
    return _postgresql_problem(connection)


def _sqlite_problem(connection: Connection) -> str | None:
    found = connection.execute(
        sa.text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'event_log'")
    ).scalar()
    if found != sqlite_event_log_ddl():
        return _CHANGED.format(what="its definition is not the one the log's migration made")
    return None


def _postgresql_problem(connection: Connection) -> str | None:
    rows = connection.execute(
        sa.text(
            "SELECT column_name, is_generated, generation_expression "
            "FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = 'event_log'"
        )
    ).all()
    found = {row[0]: (row[1], row[2]) for row in rows}
    for name, sql_type, _ in DERIVED:
        if found.get(name) != ("ALWAYS", _printed(name, sql_type)):
            return _CHANGED.format(what=f"its column {name} is not derived from the envelope")
    for name in ("position", "recorded_at", "prev_hash", "hash", "envelope"):
        if found.get(name, ("",))[0] != "NEVER":
            return _CHANGED.format(what=f"its column {name} is missing or generated")
    return None


def _printed(name: str, sql_type: str) -> str:
    """``tables.postgresql_expression`` as PostgreSQL prints it back (``pg_get_expr``)."""
    if name == "payload":
        return '"substring"(envelope, \'"payload":(.*),"producer":\'::text)'
    field = f"((envelope)::json ->> '{name}'::text)"
    return f"({field})::integer" if sql_type == "INTEGER" else field
