"""registered names are kept sealed as recruitment sent them, with the event they were sealed
in (docs/privacy.md: placement asks for the key only when it reads a name)

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
    # Rows from before hold plain names, which read as they are (sealed_in stays NULL).
    with op.batch_alter_table("registered_names") as table:
        table.add_column(sa.Column("sealed_in", sa.String(36), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("registered_names") as table:
        table.drop_column("sealed_in")
