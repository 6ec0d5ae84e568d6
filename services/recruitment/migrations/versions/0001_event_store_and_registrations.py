"""event store and the registrations index

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

from shared.eventstore.migrations import create_event_store_tables, drop_event_store_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_event_store_tables()
    op.create_table(
        "registrations",
        sa.Column("campaign_id", sa.String(36), primary_key=True),
        sa.Column("resident_id_digest", sa.String(64), primary_key=True),
        sa.Column("student_id", sa.String(36), nullable=False, unique=True),
    )


def downgrade() -> None:
    op.drop_table("registrations")
    drop_event_store_tables()
