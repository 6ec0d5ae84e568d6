"""the key store of per-subject data keys (docs/privacy.md)

Revision ID: 0011
Revises: 0010
"""

from shared.privacy.migrations import create_subject_keys_table, drop_subject_keys_table

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_subject_keys_table()


def downgrade() -> None:
    drop_subject_keys_table()
