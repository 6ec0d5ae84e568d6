"""event store and the placement indexes

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
        "position_index",
        sa.Column("position_id", sa.String(36), primary_key=True),
        sa.Column("campaign_id", sa.String(36), nullable=False),
        sa.Column("host_unit_id", sa.String(36), nullable=False),
    )
    op.create_index("ix_position_index_campaign_id", "position_index", ["campaign_id"])
    op.create_table(
        "candidate_index",
        sa.Column("student_id", sa.String(36), primary_key=True),
        sa.Column("campaign_id", sa.String(36), nullable=False),
    )
    op.create_index("ix_candidate_index_campaign_id", "candidate_index", ["campaign_id"])
    op.create_table(
        "placement_index",
        sa.Column("placement_id", sa.String(36), primary_key=True),
        sa.Column("campaign_id", sa.String(36), nullable=False),
        sa.Column("position_id", sa.String(36), nullable=False),
        sa.Column("student_id", sa.String(36), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("seat_number", sa.Integer, nullable=True),
        sa.Column("holder", sa.String(36), nullable=True, unique=True),
        sa.UniqueConstraint("position_id", "seat_number", name="uq_placement_index_seat"),
    )
    for column in ("campaign_id", "position_id", "student_id"):
        op.create_index(f"ix_placement_index_{column}", "placement_index", [column])


def downgrade() -> None:
    op.drop_table("placement_index")
    op.drop_table("candidate_index")
    op.drop_table("position_index")
    drop_event_store_tables()
