"""The event log's tables: the entries, the one-row head anchor, checkpoints, quarantine.

Envelope fields are stored as plain columns so that auditors and the gateway can filter on
them; the payload is kept as its canonical JSON text. Together they rebuild the envelope whose
canonical bytes were hashed (see ``chain.py`` and docs/event-log.md).

Free-form identifiers are ``Text`` rather than sized strings on purpose: a service has already
committed the event, so the log must never refuse it for being a few characters too long.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

event_log = sa.Table(
    "event_log",
    metadata,
    # Assigned by the appender under the head lock: autoincrement would leave gaps on rollback.
    sa.Column("position", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("event_id", sa.Text, nullable=False),
    sa.Column("event_type", sa.Text, nullable=False, index=True),
    sa.Column("schema_version", sa.Integer, nullable=False),
    sa.Column("stream_id", sa.Text, nullable=False, index=True),
    sa.Column("stream_version", sa.Integer, nullable=False),
    sa.Column("occurred_at", sa.String(32), nullable=False),
    sa.Column("producer", sa.Text, nullable=False),
    sa.Column("correlation_id", sa.Text, nullable=False),
    sa.Column("causation_id", sa.Text, nullable=True),
    sa.Column("actor", sa.Text, nullable=False),
    sa.Column("payload", sa.Text, nullable=False),
    # The producer's key id and signature (both None for an event logged before producers
    # signed): hashed with the envelope, see chain.py.
    sa.Column("key_id", sa.Text, nullable=True),
    sa.Column("signature", sa.Text, nullable=True),
    sa.Column("recorded_at", sa.String(32), nullable=False),
    sa.Column("prev_hash", sa.String(64), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
    # The dedupe key: a redelivered event must never get a second position.
    sa.UniqueConstraint("event_id", name="uq_event_log_event_id"),
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
