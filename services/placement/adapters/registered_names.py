"""The names students registered with, as recruitment told placement (personal data).

A name is kept as it came in recruitment's ``StudentRegistered``: sealed with the student's
key there (``sealed_in`` names that event, whose id the seal is bound to). Placement asks
recruitment for the key only when it reads a name, to check an insurance policy: noting a
registration costs no key request (docs/privacy.md, "Cost"). Noting one runs one driver
statement on the unit of work's connection, with no ORM session: every registration of a
season passes here (docs/performance.md, "Through the whole suite").
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from services.placement.adapters.tables import registered_names
from shared.eventstore.driver_sql import DriverStatement
from shared.privacy.classes import field_class
from shared.privacy.fetching import OWNER_AWAY, open_kept_value
from shared.privacy.keystore import KeyStore
from shared.rpc import ServiceUnavailable

RECRUITMENT = "recruitment"
NAME_FIELD = "name"
# One statement, in the same words on SQLite and PostgreSQL: one round trip on PostgreSQL.
_KEEP = DriverStatement(
    sa.text(
        "INSERT INTO registered_names (student_id, name, sealed_in)"
        " VALUES (:student_id, :name, :sealed_in)"
        " ON CONFLICT (student_id)"
        " DO UPDATE SET name = excluded.name, sealed_in = excluded.sealed_in"
    )
)


def note_name(connection: Connection, student_id: str, name: str, sealed_in: str | None) -> None:
    """Keep (or replace) a student's registered name, as received."""
    _KEEP.run(connection, {"student_id": student_id, "name": name, "sealed_in": sealed_in})


def name_of(session: Session, keys: KeyStore | None, student_id: str) -> str | None:
    """The student's registered name in plain text (``[erased]`` once their key is gone);
    None if recruitment never told. ``ServiceUnavailable`` while recruitment does not hand
    over a key placement has not held before."""
    row = session.execute(
        sa.select(registered_names.c.name, registered_names.c.sealed_in).where(
            registered_names.c.student_id == student_id
        )
    ).first()
    if row is None:
        return None
    if keys is None or row.sealed_in is None:
        return str(row.name)
    try:
        return open_kept_value(
            session, keys, row.name, owner=RECRUITMENT, event_id=row.sealed_in, field=NAME_FIELD
        )
    except OWNER_AWAY as away:
        raise ServiceUnavailable("recruitment did not hand over the student's key") from away


def erase_registered_name(session: Session, student_id: str, classes: frozenset[str]) -> None:
    """The student's name was erased (``SubjectErased`` of the name class): it is not kept
    here any more."""
    if field_class(NAME_FIELD) not in classes:
        return
    session.execute(registered_names.delete().where(registered_names.c.student_id == student_id))
