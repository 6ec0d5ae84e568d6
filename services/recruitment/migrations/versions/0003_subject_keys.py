"""the key store of per-subject data keys (docs/privacy.md)

Revision ID: 0003
Revises: 0002
"""

from shared.privacy.migrations import create_subject_keys_table, drop_subject_keys_table

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_subject_keys_table()


def downgrade() -> None:
    drop_subject_keys_table()
