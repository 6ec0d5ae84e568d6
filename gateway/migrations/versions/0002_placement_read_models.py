"""placement read models: host units, positions, selection, rankings, rounds, placements

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TS = sa.String(32)
DAY = sa.String(10)
ID = sa.String(36)
INDEXED = (
    ("positions", "host_unit_id"),
    ("positions", "campaign_id"),
    ("candidates", "campaign_id"),
    ("applicants", "campaign_id"),
    ("matching_rounds", "campaign_id"),
    ("placements", "campaign_id"),
    ("placements", "student_id"),
    ("placements", "position_id"),
    ("placements", "host_unit_id"),
)


def upgrade() -> None:
    op.create_table(
        "host_units",
        sa.Column("host_unit_id", ID, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("township", sa.Text, nullable=False),
        sa.Column("contact_person", sa.Text, nullable=False),
        sa.Column("contact_phone", sa.Text, nullable=False),
        sa.Column("registered_at", TS, nullable=False),
    )
    op.create_table(
        "positions",
        sa.Column("position_id", ID, primary_key=True),
        sa.Column("host_unit_id", ID, nullable=False),
        sa.Column("campaign_id", ID, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("duties", sa.Text, nullable=False),
        sa.Column("capacity", sa.Integer, nullable=False),
        sa.Column("starts_on", DAY, nullable=False),
        sa.Column("ends_on", DAY, nullable=False),
        sa.Column("place", sa.Text, nullable=False),
        sa.Column("requirements", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("status_reason", sa.Text, nullable=True),
        sa.Column("applicant_ranking", sa.JSON, nullable=False),
        sa.Column("unacceptable", sa.JSON, nullable=False),
        sa.Column("posted_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_table(
        "selection_windows",
        sa.Column("campaign_id", ID, primary_key=True),
        sa.Column("opens_at", TS, nullable=False),
        sa.Column("closes_at", TS, nullable=False),
        sa.Column("max_choices", sa.Integer, nullable=False),
    )
    op.create_table(
        "candidates",
        sa.Column("student_id", ID, primary_key=True),
        sa.Column("campaign_id", ID, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("withdrawal_reason", sa.Text, nullable=True),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_table(
        "rankings",
        sa.Column("student_id", ID, primary_key=True),
        sa.Column("campaign_id", ID, primary_key=True),
        sa.Column("position_ids", sa.JSON, nullable=False),
        sa.Column("submitted_at", TS, nullable=False),
    )
    op.create_table(
        "applicants",
        sa.Column("position_id", ID, primary_key=True),
        sa.Column("student_id", ID, primary_key=True),
        sa.Column("campaign_id", ID, nullable=False),
        sa.Column("choice", sa.Integer, nullable=False),
    )
    op.create_table(
        "matching_rounds",
        sa.Column("round_id", ID, primary_key=True),
        sa.Column("campaign_id", ID, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("assignments", sa.JSON, nullable=False),
        sa.Column("unmatched", sa.JSON, nullable=False),
        sa.Column("unfilled", sa.JSON, nullable=False),
        sa.Column("blocking_pairs", sa.JSON, nullable=False),
        sa.Column("stable", sa.Boolean, nullable=False),
        sa.Column("proposed_at", TS, nullable=False),
        sa.Column("published_at", TS, nullable=True),
    )
    op.create_table(
        "placements",
        sa.Column("placement_id", ID, primary_key=True),
        sa.Column("campaign_id", ID, nullable=False),
        sa.Column("round_id", ID, nullable=True),
        sa.Column("student_id", ID, nullable=False),
        sa.Column("position_id", ID, nullable=False),
        sa.Column("host_unit_id", ID, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("direct", sa.Boolean, nullable=False),
        sa.Column("confirmed_by", sa.JSON, nullable=False),
        sa.Column("declined_by", sa.String(16), nullable=True),
        sa.Column("decline_reason", sa.Text, nullable=True),
        sa.Column("insurance", sa.JSON, nullable=True),
        sa.Column("training", sa.JSON, nullable=True),
        sa.Column("documents", sa.JSON, nullable=False),
        sa.Column("started_on", DAY, nullable=True),
        sa.Column("days_served", sa.Integer, nullable=True),
        sa.Column("hours_served", sa.Integer, nullable=True),
        sa.Column("evaluation_score", sa.Integer, nullable=True),
        sa.Column("evaluation_comment", sa.Text, nullable=True),
        sa.Column("feedback_rating", sa.Integer, nullable=True),
        sa.Column("feedback_suggestions", sa.Text, nullable=True),
        sa.Column("end_reason", sa.Text, nullable=True),
        sa.Column("offered_at", TS, nullable=True),
        sa.Column("agreed_at", TS, nullable=True),
        sa.Column("updated_at", TS, nullable=False),
    )
    for table, column in INDEXED:
        op.create_index(f"ix_{table}_{column}", table, [column])


def downgrade() -> None:
    for table, column in reversed(INDEXED):
        op.drop_index(f"ix_{table}_{column}", table_name=table)
    for table in (
        "placements",
        "matching_rounds",
        "applicants",
        "rankings",
        "candidates",
        "selection_windows",
        "positions",
        "host_units",
    ):
        op.drop_table(table)
