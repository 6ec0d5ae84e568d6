"""Each read of personal data out of the gateway, recorded as an event (who, what, when)."""

from __future__ import annotations

import uuid

from sqlalchemy.engine import Engine

from gateway.trail.outbox import append_event
from shared.contracts.gateway.events import PersonalDataAccessed


def record_access(
    engine: Engine,
    *,
    actor: str,
    purpose: str,
    resource: str,
    subject_count: int | None = None,
    correlation_id: str | None = None,
) -> None:
    """Record that ``actor`` read personal data: one ``PersonalDataAccessed`` event, appended
    with its outbox mark to the gateway's database (``engine``, migrated to 0010 or later) in
    one transaction of its own, committed before this returns.

    - ``actor``: who read it, as the gateway's auth names the caller (``Principal.actor``,
      e.g. ``operator:<account id>``); 1 to 120 characters.
    - ``purpose``: why, a short lower-case word (``export``, ``download``): ``[a-z][a-z0-9_]*``,
      at most 40 characters.
    - ``resource``: what, by ids and file names only (``campaign/<id>/students.csv``): letters,
      digits and ``. _ : / -``, at most 200 characters, so that no name or other personal text
      can end up in the log.
    - ``subject_count``: how many people's records it held (0 or more), if counted.
    - ``correlation_id``: the request's (1 to 64 characters), so that the record joins its
      log lines; a new one if None.

    The event holds none of the data read. It is in its own stream (``access-<uuid>``), so
    calls never conflict; each call appends exactly one event. It reaches the event log
    through the gateway's relay, signed with the ``gateway`` key; while the broker is away it
    waits in the outbox. Call it before handing the data out: if it raises (``ValueError``
    for an invalid argument, nothing written; a database error), hand nothing out.
    """
    event = PersonalDataAccessed(purpose=purpose, resource=resource, subject_count=subject_count)
    with engine.begin() as connection:
        append_event(
            connection,
            event,
            stream_id=f"access-{uuid.uuid4()}",
            actor=actor,
            correlation_id=correlation_id,
        )
