"""the published versions of the documents students sign

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
    op.create_table(
        "published_documents",
        sa.Column("document_kind", sa.String(40), primary_key=True),
        sa.Column("version", sa.String(40), primary_key=True),
        sa.Column("content_hash", sa.String(71), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("published_at", sa.String(32), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("published_documents")
