"""a data key per subject and field class: subject_keys.field_class (docs/privacy.md)

Revision ID: 0003
Revises: 0002
"""

from shared.privacy.migrations import add_field_class_column, drop_field_class_column

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_field_class_column()


def downgrade() -> None:
    drop_field_class_column()
