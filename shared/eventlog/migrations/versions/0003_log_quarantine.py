"""events the log refused to chain in, kept for auditors

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "log_quarantine",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("received_at", sa.String(32), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("exchange", sa.Text, nullable=False),
        sa.Column("event_id", sa.Text, nullable=False),
        sa.Column("event_type", sa.Text, nullable=False),
        sa.Column("producer", sa.Text, nullable=False),
        sa.Column("envelope", sa.Text, nullable=False),
    )
    op.create_index("ix_log_quarantine_event_id", "log_quarantine", ["event_id"])


def downgrade() -> None:
    op.drop_table("log_quarantine")
