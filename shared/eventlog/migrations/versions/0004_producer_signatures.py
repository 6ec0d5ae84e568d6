"""producers' key ids and signatures, kept with each logged event (None before signing)

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("event_log") as table:
        table.add_column(sa.Column("key_id", sa.Text, nullable=True))
        table.add_column(sa.Column("signature", sa.Text, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("event_log") as table:
        table.drop_column("signature")
        table.drop_column("key_id")
