"""the outbox holds only the events waiting for the relay, which deletes each mark once the
broker has confirmed its event (docs/performance.md, "Fewer pages per registration")

Revision ID: 0013
Revises: 0012
"""

from shared.eventstore.migrations import keep_only_pending_in_outbox, mark_publication_in_outbox

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    keep_only_pending_in_outbox()


def downgrade() -> None:
    mark_publication_in_outbox()
