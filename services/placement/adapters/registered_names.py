"""The names students registered with, as recruitment sealed them (personal data).

Placement needs a student's registered name once: to check the insured person of the
student's policy. It asks recruitment for it then (``registered_name``, an RPC answered with
the value as recruitment stored it: sealed with the student's name key, bound to the
registration's event id, ``sealed_in``), keeps it here as it came, and asks for the key
to open it (``open_kept_value``). So a registration costs placement nothing, and placement
keeps the names of the students whose policies it checked, not of everyone who registered
(docs/privacy.md, "Registered names"). Rows noted before this (from ``StudentRegistered``,
which placement consumed until 2 December 2026) are read the same way.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from services.placement.adapters.tables import registered_names
from shared.eventstore.driver_sql import DriverStatement
from shared.logging import get_logger
from shared.privacy.classes import field_class
from shared.privacy.fetching import OWNER_AWAY, open_kept_value
from shared.privacy.keystore import KeyOwners, KeyStore
from shared.privacy.sealing import ERASED
from shared.rpc import ServiceUnavailable

log = get_logger(__name__)

RECRUITMENT = "recruitment"
NAME_FIELD = "name"
NAME_METHOD = "registered_name"  # recruitment's RPC (services.recruitment.adapters)
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
    """The student's registered name in plain text (``[erased]`` once erased); None if
    recruitment knows no such student. ``ServiceUnavailable`` while recruitment does not
    answer for a name or a key placement has not held before."""
    row = session.execute(
        sa.select(registered_names.c.name, registered_names.c.sealed_in).where(
            registered_names.c.student_id == student_id
        )
    ).first()
    if row is not None:
        kept: tuple[str, str | None] = (row.name, row.sealed_in)
    elif keys is None or keys.owners is None:  # nobody to ask (a test's desk)
        return None
    else:
        asked = _ask_recruitment(keys.owners, student_id)
        if asked is None or isinstance(asked, str):
            return asked
        kept = asked
        note_name(session.connection(), student_id, *kept)
    name, sealed_in = kept
    if keys is None or sealed_in is None:
        return name
    try:
        return open_kept_value(
            session, keys, name, owner=RECRUITMENT, event_id=sealed_in, field=NAME_FIELD
        )
    except OWNER_AWAY as away:
        raise ServiceUnavailable("recruitment did not hand over the student's key") from away


def _ask_recruitment(owners: KeyOwners, student_id: str) -> tuple[str, str | None] | str | None:
    """Recruitment's answer for the student's name: ``(name as stored, sealed_in)``,
    ``[erased]``, or None for a student recruitment does not know."""
    try:
        answer = owners.ask_signed(RECRUITMENT, NAME_METHOD, {"student_id": student_id})
    except OWNER_AWAY as away:
        raise ServiceUnavailable("recruitment did not answer for the registered name") from away
    if not isinstance(answer, dict):
        answer = {"": answer}  # refused below, by its type alone
    if answer.get("erased") is True:
        return ERASED
    if answer.get("unknown") is True:
        return None
    name, sealed_in = answer.get("name"), answer.get("sealed_in")
    if not isinstance(name, str) or not isinstance(sealed_in, str | None):
        # the keys only: a malformed answer may hold a name
        log.warning("registered_name.unexpected_answer", keys=sorted(map(str, answer)))
        raise ServiceUnavailable("recruitment's answer for the registered name is malformed")
    return name, sealed_in


def erase_registered_name(session: Session, student_id: str, classes: frozenset[str]) -> None:
    """The student's name was erased (``SubjectErased`` of the name class): it is not kept
    here any more."""
    if field_class(NAME_FIELD) not in classes:
        return
    session.execute(registered_names.delete().where(registered_names.c.student_id == student_id))
