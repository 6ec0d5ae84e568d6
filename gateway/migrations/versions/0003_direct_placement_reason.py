"""a direct placement's reason in the placements read model

Revision ID: 0003
Revises: 0002

Placements agreed before PlacementAgreed v2 carried no reason: replaying them yields an
empty reason (their upcast), so existing direct placements get one too, and a rebuild
equals the live read models.
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("placements", sa.Column("direct_reason", sa.Text, nullable=True))
    op.execute(
        sa.text("UPDATE placements SET direct_reason = '' WHERE direct = :direct").bindparams(
            direct=True
        )
    )


def downgrade() -> None:
    with op.batch_alter_table("placements") as batch:
        batch.drop_column("direct_reason")
