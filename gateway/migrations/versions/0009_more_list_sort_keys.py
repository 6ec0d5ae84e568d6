"""indexes on the sort keys of the positions', activities', hours', awards', appointments' and
accounts' lists (gateway/core/paging.py)

Revision ID: 0009
Revises: 0008
"""

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

INDEXES = (
    ("ix_positions_campaign_posted", "positions", ["campaign_id", "posted_at", "position_id"]),
    ("ix_activities_starts", "activities", ["starts_at", "activity_id"]),
    ("ix_activities_scheduled", "activities", ["scheduled_at", "activity_id"]),
    ("ix_volunteer_hours_logged", "volunteer_hours", ["logged_at", "hours_id"]),
    ("ix_honour_awards_nominated", "honour_awards", ["nominated_at", "award_id"]),
    ("ix_honour_appointments_issued", "honour_appointments", ["issued_at", "appointment_id"]),
    ("ix_accounts_created", "accounts", ["created_at", "account_id"]),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
