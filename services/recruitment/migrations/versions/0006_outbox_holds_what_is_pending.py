"""the outbox holds only the events waiting for the relay, which deletes each mark once the
broker has confirmed its event (docs/performance.md, "Fewer pages per registration")

Revision ID: 0006
Revises: 0005
"""

from shared.eventstore.migrations import keep_only_pending_in_outbox, mark_publication_in_outbox

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    keep_only_pending_in_outbox()


def downgrade() -> None:
    mark_publication_in_outbox()
