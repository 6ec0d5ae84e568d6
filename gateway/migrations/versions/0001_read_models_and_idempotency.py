"""read models (campaigns, students, checkpoint) and idempotency keys

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "campaigns",
        sa.Column("campaign_id", sa.String(36), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("season", sa.Text, nullable=False),
        sa.Column("registration_opens_at", sa.String(32), nullable=False),
        sa.Column("registration_closes_at", sa.String(32), nullable=False),
        sa.Column("scope", sa.Text, nullable=False),
        sa.Column("practice_content", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("updated_at", sa.String(32), nullable=False),
    )
    op.create_table(
        "students",
        sa.Column("student_id", sa.String(36), primary_key=True),
        sa.Column("campaign_id", sa.String(36), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("phone", sa.Text, nullable=False),
        sa.Column("id_number", sa.Text, nullable=False),
        sa.Column("university", sa.Text, nullable=False),
        sa.Column("major", sa.Text, nullable=False),
        sa.Column("grade", sa.Text, nullable=False),
        sa.Column("hometown", sa.Text, nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("screening_decision", sa.String(16), nullable=True),
        sa.Column("screening_reason", sa.Text, nullable=True),
        sa.Column("screened_at", sa.String(32), nullable=True),
        sa.Column("withdrawal_reason", sa.Text, nullable=True),
        sa.Column("in_alliance", sa.Boolean, nullable=False),
        sa.Column("registered_at", sa.String(32), nullable=False),
        sa.Column("updated_at", sa.String(32), nullable=False),
    )
    op.create_index("ix_students_campaign_id", "students", ["campaign_id"])
    checkpoint = op.create_table(
        "checkpoint",
        sa.Column("projection", sa.String(60), primary_key=True),
        sa.Column("position", sa.Integer, nullable=False),
    )
    # The row exists from the start, so the projector only ever updates it.
    op.bulk_insert(checkpoint, [{"projection": "read_models", "position": 0}])
    op.create_table(
        "idempotency_keys",
        sa.Column("principal", sa.String(200), primary_key=True),
        sa.Column("key", sa.String(255), primary_key=True),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("status", sa.Integer, nullable=True),
        sa.Column("body", sa.Text, nullable=True),
        sa.Column("created_at", sa.String(32), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("idempotency_keys")
    op.drop_table("checkpoint")
    op.drop_index("ix_students_campaign_id", table_name="students")
    op.drop_table("students")
    op.drop_table("campaigns")
