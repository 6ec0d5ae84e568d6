"""The migration step that gives a component its key store (``key_rows.subject_keys``), a
frozen copy of the table as it was then."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


def create_subject_keys_table() -> None:
    op.create_table(
        "subject_keys",
        sa.Column("key_id", sa.String(32), primary_key=True),
        sa.Column("subject_id", sa.String(120), nullable=False),
        sa.Column("source", sa.String(60), nullable=False),
        sa.Column("wrapped_key", sa.Text, nullable=True),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("destroyed_at", sa.String(32), nullable=True),
    )
    op.create_index("ix_subject_keys_subject_id", "subject_keys", ["subject_id"])


def drop_subject_keys_table() -> None:
    op.drop_index("ix_subject_keys_subject_id", "subject_keys")
    op.drop_table("subject_keys")


def add_field_class_column() -> None:
    """A key's field class (``shared.privacy.classes``); the keys made before it have none and
    seal every class of their subject."""
    op.add_column("subject_keys", sa.Column("field_class", sa.String(20), nullable=True))


def drop_field_class_column() -> None:
    with op.batch_alter_table("subject_keys") as batch:
        batch.drop_column("field_class")
