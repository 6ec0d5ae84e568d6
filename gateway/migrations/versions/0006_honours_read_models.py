"""honours read models: titles, awards and certificates, appointments and letters, consents,
recommendations, practice diaries

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TS = sa.String(32)
DAY = sa.String(10)
ID = sa.String(36)
SERIAL = sa.String(20)
INDEXED = (
    ("honour_awards", "student_id"),
    ("honour_awards", "campaign_id"),
    ("honour_awards", "serial"),
    ("honour_appointments", "serial"),
    ("honour_appointments", "student_id"),
    ("honour_appointments", "campaign_id"),
    ("honour_recommendations", "student_id"),
    ("honour_recommendations", "campaign_id"),
    ("practice_diaries", "student_id"),
    ("practice_diaries", "campaign_id"),
)


def upgrade() -> None:
    op.create_table(
        "honour_titles",
        sa.Column("title_code", sa.String(8), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("quota", sa.Integer, nullable=False),
        sa.Column("minimum_score", sa.Integer, nullable=False),
        sa.Column("defined_at", TS, nullable=False),
    )
    op.create_table(
        "honour_awards",
        sa.Column("award_id", ID, primary_key=True),
        sa.Column("student_id", ID, nullable=False),
        sa.Column("campaign_id", ID, nullable=False),
        sa.Column("title_code", sa.String(8), nullable=False),
        sa.Column("title_name", sa.Text, nullable=True),
        sa.Column("citation", sa.Text, nullable=False),
        sa.Column("holder_name", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("serial", SERIAL, nullable=True),
        sa.Column("issued_at", TS, nullable=True),
        sa.Column("revoked_at", TS, nullable=True),
        sa.Column("revocation_reason", sa.Text, nullable=True),
        sa.Column("nominated_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_table(
        "honour_appointments",
        sa.Column("appointment_id", ID, primary_key=True),
        sa.Column("serial", SERIAL, nullable=False),
        sa.Column("student_id", ID, nullable=False),
        sa.Column("campaign_id", ID, nullable=False),
        sa.Column("committee", sa.Text, nullable=False),
        sa.Column("term_starts_on", DAY, nullable=False),
        sa.Column("term_ends_on", DAY, nullable=False),
        sa.Column("holder_name", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("ended_on", DAY, nullable=True),
        sa.Column("end_reason", sa.Text, nullable=True),
        sa.Column("issued_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_table(
        "honour_consents",
        sa.Column("student_id", ID, primary_key=True),
        sa.Column("purpose", sa.String(20), primary_key=True),
        sa.Column("given", sa.Boolean, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_table(
        "honour_recommendations",
        sa.Column("recommendation_id", ID, primary_key=True),
        sa.Column("student_id", ID, nullable=False),
        sa.Column("campaign_id", ID, nullable=False),
        sa.Column("university", sa.Text, nullable=False),
        sa.Column("transcript_hash", sa.String(71), nullable=False),
        sa.Column("sent_at", TS, nullable=False),
    )
    op.create_table(
        "practice_diaries",
        sa.Column("diary_id", ID, primary_key=True),
        sa.Column("student_id", ID, nullable=False),
        sa.Column("campaign_id", ID, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("display_name", sa.Text, nullable=False),
        sa.Column("featured", sa.Boolean, nullable=False),
        sa.Column("featured_at", TS, nullable=True),
        sa.Column("unfeatured_reason", sa.Text, nullable=True),
        sa.Column("submitted_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )
    for table, column in INDEXED:
        op.create_index(f"ix_{table}_{column}", table, [column])


def downgrade() -> None:
    for table, column in reversed(INDEXED):
        op.drop_index(f"ix_{table}_{column}", table_name=table)
    for table in (
        "practice_diaries",
        "honour_recommendations",
        "honour_consents",
        "honour_appointments",
        "honour_awards",
        "honour_titles",
    ):
        op.drop_table(table)
