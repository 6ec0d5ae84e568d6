"""the gateway's own events and outbox (gateway/trail): account changes and accesses to
personal data, published by the gateway's relay to gateway.events

Revision ID: 0010
Revises: 0009
"""

from shared.eventstore.migrations import create_events_and_outbox, drop_events_and_outbox

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The event store's events and outbox as every service's first revision made them (the
    # relay reads them by those names); the gateway consumes nothing, so it has no inbox.
    create_events_and_outbox()


def downgrade() -> None:
    drop_events_and_outbox()
