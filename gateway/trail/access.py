"""Each read of personal data out of the gateway, recorded as an event (who, what, when), and
the records of one subject read back (what the subject and auditors see)."""

from __future__ import annotations

import json
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from gateway.trail.outbox import append_event
from shared.contracts.gateway.events import PersonalDataAccessed
from shared.eventstore.tables import events

SUBJECT_STREAM = "accesses-"
"""A subject's access records are one stream, ``accesses-<subject id>``, in the gateway's
database and in the event log (``GET /api/v1/audit/events?type=PersonalDataAccessed&stream=``)."""
APPEND_ATTEMPTS = 5  # two reads of one subject at once collide on its stream's next version


def record_access(
    engine: Engine,
    *,
    actor: str,
    purpose: str,
    resource: str,
    subject_count: int | None = None,
    correlation_id: str | None = None,
    subject_id: str | None = None,
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
    - ``subject_id``: whose record it was (a UUID), when the read was of one person's data;
      the record then goes to that subject's stream (``accesses-<subject id>``).

    The event holds none of the data read. Without a subject it is in a stream of its own
    (``access-<uuid>``); with one, two calls at once may collide on the stream's next version
    and the later is tried again. Each call appends exactly one event. It reaches the event log
    through the gateway's relay, signed with the ``gateway`` key; while the broker is away it
    waits in the outbox. Call it before handing the data out: if it raises (``ValueError``
    for an invalid argument, nothing written; a database error), hand nothing out.
    """
    event = PersonalDataAccessed(
        purpose=purpose, resource=resource, subject_count=subject_count, subject_id=subject_id
    )
    stream_id = f"{SUBJECT_STREAM}{subject_id}" if subject_id else f"access-{uuid.uuid4()}"
    for attempt in range(1, APPEND_ATTEMPTS + 1):
        try:
            with engine.begin() as connection:
                append_event(
                    connection,
                    event,
                    stream_id=stream_id,
                    actor=actor,
                    correlation_id=correlation_id,
                )
            return
        except sa.exc.IntegrityError:
            if subject_id is None or attempt == APPEND_ATTEMPTS:
                raise


def accesses_of(
    engine: Engine, subject_id: str, *, after: int = 0, limit: int = 50
) -> list[dict[str, Any]]:
    """The subject's access records, oldest first, after the record numbered ``after`` (each
    record's ``number`` is its place in the subject's stream): who, when, what for, which
    resource. Reads of many people at once (a list page, an export) are not among them: they
    name no one (docs/privacy.md)."""
    with engine.connect() as connection:
        found = connection.execute(
            sa.select(
                events.c.stream_version,
                events.c.occurred_at,
                events.c.actor,
                events.c.payload,
                events.c.event_id,
            )
            .where(
                events.c.stream_id == f"{SUBJECT_STREAM}{subject_id}",
                events.c.stream_version > after,
            )
            .order_by(events.c.stream_version)
            .limit(limit)
        ).all()
    return [_record(row) for row in found]


def _record(row: Any) -> dict[str, Any]:
    payload = json.loads(row.payload)
    return {
        "number": row.stream_version,
        "event_id": row.event_id,
        "accessed_at": row.occurred_at,
        "actor": row.actor,
        "purpose": payload["purpose"],
        "resource": payload["resource"],
    }
