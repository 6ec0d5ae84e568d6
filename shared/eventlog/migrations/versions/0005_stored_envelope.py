"""each entry keeps its canonical envelope text, the exact bytes its hash covers; the envelope's
fields become columns generated from that text

Revision ID: 0005
Revises: 0004

The text of every existing entry is rebuilt from its columns exactly as ``verify`` hashed them
until now (``legacy.legacy_envelope_text``: the payload spliced in as stored), so every hash
stays what it was, and an entry that had been tampered with still fails. Not reversible: the
derived columns cannot be written back once they are generated.
"""

import json
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from alembic import op

from shared.eventlog.legacy import LEGACY_COLUMNS, legacy_envelope_text
from shared.eventlog.tables import DERIVED, postgresql_expression, sqlite_event_log_ddl

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

PAGE = 5000
# The indexes as this revision made them (0006 keys SQLite's stream index by block).
EVENT_LOG_INDEXES = (
    "CREATE UNIQUE INDEX uq_event_log_event_id ON event_log (event_id)",
    "CREATE INDEX ix_event_log_event_type ON event_log (event_type)",
    "CREATE INDEX ix_event_log_stream_id ON event_log (stream_id)",
)


def upgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name == "sqlite":
        _upgrade_sqlite(connection)
    else:
        _upgrade_postgresql(connection)


def _upgrade_sqlite(connection: sa.Connection) -> None:
    # Generated columns cannot be added to a SQLite table: build the new one beside the old.
    for index in ("ix_event_log_event_type", "ix_event_log_stream_id"):
        op.execute(f"DROP INDEX {index}")
    op.execute("ALTER TABLE event_log RENAME TO event_log_0004")
    op.execute(sqlite_event_log_ddl())
    insert = sa.text(
        "INSERT INTO event_log (position, recorded_at, prev_hash, hash, envelope) "
        "VALUES (:position, :recorded_at, :prev_hash, :hash, :envelope)"
    )
    for page in _old_entries(connection, "event_log_0004"):
        connection.execute(insert, page)
    op.execute("DROP TABLE event_log_0004")
    for statement in EVENT_LOG_INDEXES:
        op.execute(statement)


def _upgrade_postgresql(connection: sa.Connection) -> None:
    op.execute("ALTER TABLE event_log ADD COLUMN envelope TEXT")
    update = sa.text("UPDATE event_log SET envelope = :envelope WHERE position = :position")
    for page in _old_entries(connection, "event_log"):
        connection.execute(
            update, [{"position": e["position"], "envelope": e["envelope"]} for e in page]
        )
    op.execute("ALTER TABLE event_log ALTER COLUMN envelope SET NOT NULL")
    # Dropping the columns drops their indexes and the unique constraint with them.
    drops = ", ".join(f"DROP COLUMN {name}" for name, _, _ in DERIVED)
    op.execute(f"ALTER TABLE event_log {drops}")
    adds = ", ".join(
        f"ADD COLUMN {name} {sql_type}{'' if nullable else ' NOT NULL'} "
        f"GENERATED ALWAYS AS ({postgresql_expression(name, sql_type)}) STORED"
        for name, sql_type, nullable in DERIVED
    )
    op.execute(f"ALTER TABLE event_log {adds}")
    for statement in EVENT_LOG_INDEXES:
        op.execute(statement)


def _old_entries(connection: sa.Connection, table: str) -> Iterator[list[dict[str, Any]]]:
    """The old entries a page at a time, each as its header columns and envelope text."""
    names = ", ".join(LEGACY_COLUMNS)
    after = 0
    while True:
        rows = connection.execute(
            sa.text(
                f"SELECT {names} FROM {table} WHERE position > :after "  # noqa: S608 (our names)
                "ORDER BY position LIMIT :page"
            ),
            {"after": after, "page": PAGE},
        ).all()
        if not rows:
            return
        yield [_entry(row) for row in rows]
        after = rows[-1][0]


def _entry(row: Any) -> dict[str, Any]:
    text = legacy_envelope_text(row)
    try:
        json.loads(text)
    except ValueError:
        # The database cannot derive the envelope's fields from it; nor could verify hash it
        # as anything but a mismatch before.
        raise RuntimeError(
            f"entry {row[0]} of the event log is not JSON: it was tampered with before this "
            "migration (gravity audit verify at the previous version names it); restore the "
            "log from a backup"
        ) from None
    return {
        "position": row[0],
        "recorded_at": row[1],
        "prev_hash": row[2],
        "hash": row[3],
        "envelope": text,
    }


def downgrade() -> None:
    raise NotImplementedError("the stored envelopes cannot be turned back into plain columns")
