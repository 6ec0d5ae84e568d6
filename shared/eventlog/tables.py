"""The event log's tables: the entries, the one-row head anchor, checkpoints, quarantine.

Each entry keeps the exact text that its hash covers, its canonical envelope (``envelope``),
beside the four columns of its chain header (position, recorded_at, prev_hash, hash). The
envelope's fields that auditors and the gateway filter and read on (``DERIVED``) are generated
columns computed from that text by the database itself (virtual on SQLite, stored on
PostgreSQL): nobody can write them, so they cannot say anything the hashed text does not, and
``verify`` hashes one text per entry instead of rebuilding it from seventeen columns.
``derived.py`` checks that they are still generated the way this module declares.

Free-form identifiers are ``Text`` rather than sized strings on purpose: a service has already
committed the event, so the log must never refuse it for being a few characters too long.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

# (column, SQL type, nullable): the envelope's fields, derived from the stored envelope text.
DERIVED: tuple[tuple[str, str, bool], ...] = (
    ("event_id", "TEXT", False),
    ("event_type", "TEXT", False),
    ("schema_version", "INTEGER", False),
    ("stream_id", "TEXT", False),
    ("stream_version", "INTEGER", False),
    ("occurred_at", "TEXT", False),
    ("producer", "TEXT", False),
    ("correlation_id", "TEXT", False),
    ("causation_id", "TEXT", True),
    ("actor", "TEXT", False),
    ("payload", "TEXT", False),
    # The producer's key id and signature (both None for an event logged before producers
    # signed): hashed with the envelope, see chain.py.
    ("key_id", "TEXT", True),
    ("signature", "TEXT", True),
)


def sqlite_expression(name: str) -> str:
    """A derived column on SQLite: the field of the stored text (for ``payload`` its JSON text,
    which SQLite renders exactly as it was stored for canonical text)."""
    return f"json_extract(envelope, '$.{name}')"


def postgresql_expression(name: str, sql_type: str) -> str:
    """A derived column on PostgreSQL. The payload is cut out of the text rather than rendered
    from ``json`` (whose text form is not canonical): it runs from ``"payload":`` to the last
    ``,"producer":`` (the keys after it hold only strings and integers, where quotes are
    escaped, so the last one is the envelope's own key)."""
    if name == "payload":
        return 'substring(envelope from \'"payload":(.*),"producer":\')'
    field = f"(envelope::json ->> '{name}')"
    return f"{field}::integer" if sql_type == "INTEGER" else field


event_log = sa.Table(
    "event_log",
    metadata,
    # Assigned by the appender under the head lock: autoincrement would leave gaps on rollback.
    sa.Column("position", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("recorded_at", sa.String(32), nullable=False),
    sa.Column("prev_hash", sa.String(64), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
    # The canonical envelope, exactly the bytes hashed after the header (docs/event-log.md).
    sa.Column("envelope", sa.Text, nullable=False),
    *(
        sa.Column(
            name,
            sa.Integer if sql_type == "INTEGER" else sa.Text,
            sa.Computed(sqlite_expression(name), persisted=False),
            nullable=nullable,
            index=name == "event_type",
        )
        for name, sql_type, nullable in DERIVED
    ),
    # The dedupe key: a redelivered event must never get a second position.
    sa.Index("uq_event_log_event_id", "event_id", unique=True),
)


def sqlite_event_log_ddl() -> str:
    """``event_log`` on SQLite, exactly as the migration creates it (``derived.py`` compares
    the schema SQLite keeps with this text)."""
    derived = ",\n".join(
        f"    {name} {sql_type}{'' if nullable else ' NOT NULL'} "
        f"GENERATED ALWAYS AS ({sqlite_expression(name)}) VIRTUAL"
        for name, sql_type, nullable in DERIVED
    )
    return (
        "CREATE TABLE event_log (\n"
        "    position INTEGER NOT NULL PRIMARY KEY,\n"
        "    recorded_at VARCHAR(32) NOT NULL,\n"
        "    prev_hash VARCHAR(64) NOT NULL,\n"
        "    hash VARCHAR(64) NOT NULL,\n"
        "    envelope TEXT NOT NULL,\n"
        f"{derived}\n)"
    )


# The stream index on SQLite is kept per block of 4,096 positions, (block, stream id): a random
# stream id then lands among the current block's few dozen pages instead of anywhere in an index
# of the whole log, so a commit of a batch writes a few pages of it, not one per entry, however
# long the log (docs/performance.md, "The event log's append rate"). A stream's entries are found
# by one index search per block (``reader.py``), a few hundred on a log of a million entries.
# PostgreSQL keeps the plain index on the stream id: its append rate does not grow with it.
BLOCK_BITS = 12
SQLITE_BLOCK = f"(position >> {BLOCK_BITS})"

# The indexes as the newest migration leaves them (SQLite's: ``export_check.py`` builds the same).
EVENT_LOG_INDEXES = (
    "CREATE UNIQUE INDEX uq_event_log_event_id ON event_log (event_id)",
    "CREATE INDEX ix_event_log_event_type ON event_log (event_type)",
    f"CREATE INDEX ix_event_log_block_stream ON event_log ({SQLITE_BLOCK}, stream_id)",
)

# One row (id = 1): the last position and hash, written in the same transaction as every
# append. It is the lock appenders queue on, and the anchor that makes a cut tail visible.
log_head = sa.Table(
    "log_head",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
    sa.CheckConstraint("id = 1", name="ck_log_head_single_row"),
)

HEAD_ROW_ID = 1

# The log's signed statements of what it held: see ``checkpoints.py``.
log_checkpoints = sa.Table(
    "log_checkpoints",
    metadata,
    sa.Column("position", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("head_hash", sa.String(64), nullable=False),
    sa.Column("merkle_root", sa.String(64), nullable=False),
    sa.Column("signed_at", sa.String(32), nullable=False),
    sa.Column("key_id", sa.String(16), nullable=False),
    sa.Column("signature", sa.Text, nullable=False),
)

# Events the log would not chain in (not what their contract says, not published through their
# producer's exchange, or an event id already logged with other content): see ``screening.py``.
log_quarantine = sa.Table(
    "log_quarantine",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("received_at", sa.String(32), nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("exchange", sa.Text, nullable=False),
    sa.Column("event_id", sa.Text, nullable=False, index=True),
    sa.Column("event_type", sa.Text, nullable=False),
    sa.Column("producer", sa.Text, nullable=False),
    sa.Column("envelope", sa.Text, nullable=False),  # its canonical JSON: may be personal data
)
