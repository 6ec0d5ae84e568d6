"""the registrations index says which digest each row holds (plain sha256 or keyed hmac-sha256)

Rows made before this revision keep ``sha256`` until ``gravity privacy rekey-registrations``
replaces them with keyed digests (docs/privacy.md, "Keyed digest").

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("registrations") as table:
        table.add_column(
            sa.Column("digest_scheme", sa.String(16), nullable=False, server_default="sha256")
        )


def downgrade() -> None:
    with op.batch_alter_table("registrations") as table:
        table.drop_column("digest_scheme")
