"""volunteering read models: activities, their sign-ups, volunteers' hours

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

TS = sa.String(32)
ID = sa.String(36)
INDEXED = (
    ("activities", "campaign_id"),
    ("activities", "host_unit_id"),
    ("activity_sign_ups", "student_id"),
    ("volunteer_hours", "activity_id"),
    ("volunteer_hours", "student_id"),
    ("volunteer_hours", "campaign_id"),
)


def upgrade() -> None:
    op.create_table(
        "activities",
        sa.Column("activity_id", ID, primary_key=True),
        sa.Column("campaign_id", ID, nullable=False),
        sa.Column("host_unit_id", ID, nullable=True),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("subject", sa.String(20), nullable=True),
        sa.Column("topic", sa.String(30), nullable=True),
        sa.Column("place", sa.Text, nullable=False),
        sa.Column("starts_at", TS, nullable=False),
        sa.Column("ends_at", TS, nullable=False),
        sa.Column("capacity", sa.Integer, nullable=False),
        sa.Column("coordinator", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("cancellation_reason", sa.Text, nullable=True),
        sa.Column("reschedule_reason", sa.Text, nullable=True),
        sa.Column("children", sa.Integer, nullable=True),
        sa.Column("residents", sa.Integer, nullable=True),
        sa.Column("sessions", sa.Integer, nullable=True),
        sa.Column("beneficiaries_reported_at", TS, nullable=True),
        sa.Column("scheduled_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_table(
        "activity_sign_ups",
        sa.Column("activity_id", ID, primary_key=True),
        sa.Column("student_id", ID, primary_key=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text, nullable=True),
        sa.Column("signed_up_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_table(
        "volunteer_hours",
        sa.Column("hours_id", ID, primary_key=True),
        sa.Column("activity_id", ID, nullable=False),
        sa.Column("student_id", ID, nullable=False),
        sa.Column("campaign_id", ID, nullable=False),
        sa.Column("minutes", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("decline_reason", sa.Text, nullable=True),
        sa.Column("previous_minutes", sa.Integer, nullable=True),
        sa.Column("correction_reason", sa.Text, nullable=True),
        sa.Column("logged_at", TS, nullable=False),
        sa.Column("decided_at", TS, nullable=True),
        sa.Column("corrected_at", TS, nullable=True),
        sa.Column("updated_at", TS, nullable=False),
    )
    for table, column in INDEXED:
        op.create_index(f"ix_{table}_{column}", table, [column])


def downgrade() -> None:
    for table, column in reversed(INDEXED):
        op.drop_index(f"ix_{table}_{column}", table_name=table)
    for table in ("volunteer_hours", "activity_sign_ups", "activities"):
        op.drop_table(table)
