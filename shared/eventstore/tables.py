"""Tables every service database has: its events, their outbox marks, and its inbox."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

events = sa.Table(
    "events",
    metadata,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("event_id", sa.String(36), nullable=False, unique=True),
    sa.Column("stream_id", sa.String(120), nullable=False),
    sa.Column("stream_version", sa.Integer, nullable=False),
    sa.Column("event_type", sa.String(80), nullable=False),
    sa.Column("schema_version", sa.Integer, nullable=False),
    sa.Column("occurred_at", sa.String(32), nullable=False),
    sa.Column("producer", sa.String(60), nullable=False),
    sa.Column("correlation_id", sa.String(64), nullable=False),
    sa.Column("causation_id", sa.String(64), nullable=True),
    sa.Column("actor", sa.String(120), nullable=False),
    sa.Column("payload", sa.Text, nullable=False),
    sa.UniqueConstraint("stream_id", "stream_version", name="uq_events_stream_version"),
)

# An event's mark while it waits for the relay: the relay deletes it once the broker has
# confirmed the event, so the table holds only what is pending (migration
# ``keep_only_pending_in_outbox``).
outbox = sa.Table(
    "outbox",
    metadata,
    sa.Column("seq", sa.Integer, sa.ForeignKey("events.seq"), primary_key=True),
)

inbox = sa.Table(
    "inbox",
    metadata,
    sa.Column("consumer", sa.String(120), primary_key=True),
    sa.Column("event_id", sa.String(36), primary_key=True),
    sa.Column("consumed_at", sa.String(32), nullable=False),
)
