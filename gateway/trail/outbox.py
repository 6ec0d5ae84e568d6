"""The gateway's own outbox: its events and their outbox marks, appended inside the caller's
transaction (the same ``events`` and ``outbox`` tables as a service's; gateway migration 0010).

An account change and its event commit together or not at all, so no change goes unlogged and
none is logged twice; the relay (``gateway.trail.relay``) publishes them afterwards. A commit
that appended wakes the relay when its connection goes back to the pool, after the commit.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from shared.contracts import CONTRACTS
from shared.contracts.records import Event
from shared.events.envelope import Envelope
from shared.events.producers import GATEWAY_PRODUCER
from shared.eventstore.store import envelope_to_row
from shared.eventstore.tables import events, outbox

GATEWAY = GATEWAY_PRODUCER
"""The gateway's producer name: its exchange is ``gateway.events``, its key ``gateway``."""

ACTOR_MAX_LENGTH = 120  # the events table's columns
CORRELATION_ID_MAX_LENGTH = 64
_APPENDED = "gravity.trail.appended"  # on a pooled connection's info: wake the relay


def append_event(
    connection: sa.Connection,
    event: Event,
    *,
    stream_id: str,
    actor: str,
    correlation_id: str | None = None,
    causation_id: str | None = None,
) -> Envelope:
    """Append ``event`` to ``stream_id`` (after its newest version) with its outbox mark, in
    ``connection``'s open transaction; the caller commits. An invalid payload or actor raises
    ``ValueError`` before anything is written.

    On PostgreSQL, two transactions appending to one stream at once collide on the stream's
    unique version and the later one fails: a caller that appends to an account's stream
    changes the account's row first, which serialises them.
    """
    if not actor or len(actor) > ACTOR_MAX_LENGTH:
        raise ValueError(f"actor must be 1 to {ACTOR_MAX_LENGTH} characters")
    if correlation_id is not None and not 0 < len(correlation_id) <= CORRELATION_ID_MAX_LENGTH:
        raise ValueError(f"correlation_id must be 1 to {CORRELATION_ID_MAX_LENGTH} characters")
    schema_version, payload = CONTRACTS.dump_event(event)
    newest = connection.execute(
        sa.select(sa.func.max(events.c.stream_version)).where(events.c.stream_id == stream_id)
    ).scalar()
    envelope = Envelope(
        event_type=type(event).__name__,
        schema_version=schema_version,
        stream_id=stream_id,
        stream_version=int(newest or 0) + 1,
        producer=GATEWAY,
        actor=actor,
        correlation_id=correlation_id or str(uuid.uuid4()),
        causation_id=causation_id,
        payload=payload,
    )
    seq = connection.execute(
        events.insert().values(**envelope_to_row(envelope)).returning(events.c.seq)
    ).scalar_one()
    connection.execute(outbox.insert().values(seq=seq))
    connection.info[_APPENDED] = True
    return envelope


def wake_on_commit(engine: Engine, notify: Callable[[], None]) -> None:
    """Call ``notify`` (the relay's) once a transaction on ``engine`` that appended has
    committed; a rolled-back one appended nothing and wakes nobody."""

    def forget(connection: sa.Connection) -> None:
        connection.info.pop(_APPENDED, None)

    def wake(_dbapi_connection: Any, record: Any) -> None:
        if record is not None and record.info.pop(_APPENDED, False):
            notify()

    sa.event.listen(engine, "rollback", forget)
    sa.event.listen(engine.pool, "checkin", wake)
