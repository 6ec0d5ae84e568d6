"""event store and the volunteering indexes

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
        "sign_up_index",
        sa.Column("activity_id", sa.String(36), primary_key=True),
        sa.Column("student_id", sa.String(36), primary_key=True),
        sa.Column("campaign_id", sa.String(36), nullable=False),
        sa.Column("starts_at", sa.String(32), nullable=False),
        sa.Column("ends_at", sa.String(32), nullable=False),
    )
    op.create_index(
        "ix_sign_up_index_student_starts_at", "sign_up_index", ["student_id", "starts_at"]
    )
    op.create_table(
        "hours_index",
        sa.Column("hours_id", sa.String(36), primary_key=True),
        sa.Column("activity_id", sa.String(36), nullable=False),
        sa.Column("student_id", sa.String(36), nullable=False),
        sa.Column("minutes", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
    )
    op.create_index("ix_hours_index_activity_student", "hours_index", ["activity_id", "student_id"])


def downgrade() -> None:
    op.drop_table("hours_index")
    op.drop_table("sign_up_index")
    drop_event_store_tables()
