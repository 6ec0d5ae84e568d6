"""the registrations index keyed by (campaign, digest) alone: no rowid, no student-id index

A registration wrote three B-trees of this table on SQLite (its rows, the primary key's index
and the student id's unique index): 3.9 of the 9.8 pages its commit wrote. The student id's
uniqueness is the event store's already (a student's stream begins once:
``uq_events_stream_version``), and nothing looks a row up by it. On SQLite the table is now
``WITHOUT ROWID``: the primary key's B-tree holds the rows (docs/performance.md, "Fewer pages
per registration"). On PostgreSQL the unique constraint on the student id goes; its heap stays
as it is.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_COPY = (
    "INSERT INTO registrations_rebuilt (campaign_id, resident_id_digest, student_id, "
    "digest_scheme) SELECT campaign_id, resident_id_digest, student_id, digest_scheme "
    "FROM registrations"
)


def _columns(*, student_id_unique: bool) -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("campaign_id", sa.String(36), primary_key=True),
        sa.Column("resident_id_digest", sa.String(64), primary_key=True),
        sa.Column("student_id", sa.String(36), nullable=False, unique=student_id_unique),
        sa.Column("digest_scheme", sa.String(16), nullable=False, server_default="sha256"),
    ]


def _rebuild_on_sqlite(*, with_rowid: bool) -> None:
    """Copy the rows into a table of the new shape and put it in the old one's place."""
    op.create_table(
        "registrations_rebuilt",
        *_columns(student_id_unique=with_rowid),
        sqlite_with_rowid=with_rowid,
    )
    op.execute(_COPY)
    op.drop_table("registrations")
    op.rename_table("registrations_rebuilt", "registrations")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_on_sqlite(with_rowid=False)
    else:
        op.drop_constraint("registrations_student_id_key", "registrations", type_="unique")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_on_sqlite(with_rowid=True)
    else:
        op.create_unique_constraint("registrations_student_id_key", "registrations", ["student_id"])
