"""on SQLite, the stream index is kept per block of 4,096 positions: (block, stream id)

Revision ID: 0006
Revises: 0005

A random stream id put into an index of the whole log lands on a random page of it, so once
the index is much larger than a batch every entry wrote a page of it at commit. Keyed by the
entry's block first, the id lands among the current block's pages. Only the index changes:
every entry, hash and column stays as it was. PostgreSQL keeps its plain stream index (its
append rate does not grow with it). Reversible.
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("DROP INDEX ix_event_log_stream_id")
    # Written out, not imported from tables.py: another block size would be another revision.
    op.execute("CREATE INDEX ix_event_log_block_stream ON event_log ((position >> 12), stream_id)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("DROP INDEX ix_event_log_block_stream")
    op.execute("CREATE INDEX ix_event_log_stream_id ON event_log (stream_id)")
