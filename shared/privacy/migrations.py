"""The migration step that gives a component its key store (``keystore.subject_keys``), a
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
