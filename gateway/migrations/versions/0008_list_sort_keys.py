"""indexes on the sort keys of the students' and host units' lists (gateway/core/paging.py)

Revision ID: 0008
Revises: 0007
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

INDEXES = (
    ("ix_students_campaign_registered", "students", ["campaign_id", "registered_at", "student_id"]),
    ("ix_host_units_name", "host_units", ["name", "host_unit_id"]),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
