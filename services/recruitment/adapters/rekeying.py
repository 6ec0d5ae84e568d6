"""Re-keying the registrations index: each plain SHA-256 row (made before the lookup key)
becomes a keyed digest, read from the student's own ``StudentRegistered`` event.

A plain digest cannot be re-keyed from itself; the number it was made of is in recruitment's
event store (this service's own data). A row is replaced only when the number found gives
back exactly the stored plain digest, so a row whose event holds no readable number (its
student erased) stays as it is, and is counted, never guessed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from services.recruitment.adapters.tables import registrations
from services.recruitment.domain.student import Student
from shared.eventstore.tables import events
from shared.lookup_digest import LEGACY_SCHEME, SCHEME, LookupDigest, legacy_digest


@dataclass(frozen=True)
class Rekeyed:
    """How many plain rows were replaced, and how many stay (no readable number)."""

    replaced: int
    kept: int


def rekey_registrations(connection: Connection, digest: LookupDigest) -> Rekeyed:
    """Replace every plain digest whose number the event store still holds, in one transaction
    (the caller's)."""
    legacy = connection.execute(
        sa.select(registrations).where(registrations.c.digest_scheme == LEGACY_SCHEME)
    ).all()
    replaced = kept = 0
    for row in legacy:
        number = _registered_number(connection, row.student_id)
        if number is None or legacy_digest(row.campaign_id, number) != row.resident_id_digest:
            kept += 1
            continue
        connection.execute(
            registrations.update()
            .where(
                registrations.c.campaign_id == row.campaign_id,
                registrations.c.resident_id_digest == row.resident_id_digest,
            )
            .values(resident_id_digest=digest.digest(row.campaign_id, number), digest_scheme=SCHEME)
        )
        replaced += 1
    return Rekeyed(replaced, kept)


def _registered_number(connection: Connection, student_id: str) -> str | None:
    payload = connection.execute(
        sa.select(events.c.payload).where(
            events.c.stream_id == Student.stream_id_for(student_id),
            events.c.event_type == "StudentRegistered",
        )
    ).scalar()
    if payload is None:
        return None
    number = json.loads(payload).get("id_number")
    return number if isinstance(number, str) else None
