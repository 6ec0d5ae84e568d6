"""a data key per subject and field class: subject_keys.field_class (docs/privacy.md)

Revision ID: 0005
Revises: 0004
"""

from shared.privacy.migrations import add_field_class_column, drop_field_class_column

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_field_class_column()


def downgrade() -> None:
    drop_field_class_column()
