"""Who made an account change, and the change's event appended in the change's transaction."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from gateway.trail import append_event
from shared.contracts.records import Event


@dataclass(frozen=True)
class Cause:
    """Who made a change and in which request (the event's ``actor`` and correlation id),
    and, for a new account, how it came to be (``ACCOUNT_ORIGINS``)."""

    actor: str
    correlation_id: str | None = None
    origin: str = ""
    invitation_id: str | None = None


def record(connection: sa.Connection, event: Event, stream_id: str, cause: Cause) -> None:
    """Append ``event`` to ``stream_id`` (``account-<id>``, ``invitation-<id>``) in
    ``connection``'s open transaction, so that it commits with the change or not at all."""
    append_event(
        connection,
        event,
        stream_id=stream_id,
        actor=cause.actor,
        correlation_id=cause.correlation_id,
    )
