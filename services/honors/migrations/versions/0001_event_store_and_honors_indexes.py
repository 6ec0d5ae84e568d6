"""event store and the honours indexes

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
        "practice_index",
        sa.Column("placement_id", sa.String(36), primary_key=True),
        sa.Column("student_id", sa.String(36), nullable=False),
        sa.Column("campaign_id", sa.String(36), nullable=False),
        sa.Column("completed", sa.Boolean, nullable=False),
        sa.Column("score", sa.Integer, nullable=True),
    )
    op.create_index(
        "ix_practice_index_student_campaign", "practice_index", ["student_id", "campaign_id"]
    )
    op.create_table(
        "certificate_index",
        sa.Column("serial", sa.String(24), primary_key=True),
        sa.Column("award_id", sa.String(36), nullable=False, unique=True),
        sa.Column("student_id", sa.String(36), nullable=False),
        sa.Column("campaign_id", sa.String(36), nullable=False),
        sa.Column("title_code", sa.String(8), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("revoked", sa.Boolean, nullable=False),
        sa.UniqueConstraint("title_code", "year", "number", name="uq_certificate_number"),
    )
    op.create_index(
        "ix_certificate_index_campaign_title", "certificate_index", ["campaign_id", "title_code"]
    )
    op.create_table(
        "letter_index",
        sa.Column("serial", sa.String(24), primary_key=True),
        sa.Column("appointment_id", sa.String(36), nullable=False, unique=True),
        sa.Column("student_id", sa.String(36), nullable=False),
        sa.Column("committee", sa.String(400), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("term_ends_on", sa.String(10), nullable=False),
        sa.Column("ended", sa.Boolean, nullable=False),
        sa.UniqueConstraint("year", "number", name="uq_letter_number"),
    )
    op.create_index("ix_letter_index_student", "letter_index", ["student_id"])
    op.create_table(
        "diary_index",
        sa.Column("diary_id", sa.String(36), primary_key=True),
        sa.Column("student_id", sa.String(36), nullable=False),
        sa.Column("featured", sa.Boolean, nullable=False),
    )
    op.create_index("ix_diary_index_student", "diary_index", ["student_id"])


def downgrade() -> None:
    op.drop_table("diary_index")
    op.drop_table("letter_index")
    op.drop_table("certificate_index")
    op.drop_table("practice_index")
    drop_event_store_tables()
