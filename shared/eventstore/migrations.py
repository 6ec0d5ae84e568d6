"""Migration steps for the event-store tables, shared by every service's first revision: a
frozen copy of the schema as it was then (later changes get revisions of their own)."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


def create_event_store_tables() -> None:
    create_events_and_outbox()
    op.create_table(
        "inbox",
        sa.Column("consumer", sa.String(120), primary_key=True),
        sa.Column("event_id", sa.String(36), primary_key=True),
        sa.Column("consumed_at", sa.String(32), nullable=False),
    )


def create_events_and_outbox() -> None:
    """What a producer that consumes nothing needs (the gateway): no inbox."""
    op.create_table(
        "events",
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
    op.create_table(
        "outbox",
        sa.Column("seq", sa.Integer, sa.ForeignKey("events.seq"), primary_key=True),
        sa.Column("published_at", sa.String(32), nullable=True),
    )
    op.create_index("ix_outbox_pending", "outbox", ["published_at", "seq"])


def keep_only_pending_in_outbox() -> None:
    """The outbox holds only events waiting for the relay, which deletes each mark once the
    broker confirmed its event (docs/performance.md, "Fewer pages per registration"): the
    marks of published events go, and with them the publication time and the index that found
    the unpublished among the published. A registration's commit writes one B-tree fewer."""
    op.execute("DELETE FROM outbox WHERE published_at IS NOT NULL")
    op.drop_index("ix_outbox_pending", "outbox")
    with op.batch_alter_table("outbox") as table:
        table.drop_column("published_at")


def mark_publication_in_outbox() -> None:
    """Back to marks kept after publication: every mark left is of an event still pending."""
    with op.batch_alter_table("outbox") as table:
        table.add_column(sa.Column("published_at", sa.String(32), nullable=True))
    op.create_index("ix_outbox_pending", "outbox", ["published_at", "seq"])


def drop_event_store_tables() -> None:
    op.drop_table("inbox")
    drop_events_and_outbox()


def drop_events_and_outbox() -> None:
    op.drop_index("ix_outbox_pending", "outbox")
    op.drop_table("outbox")
    op.drop_table("events")
