"""Recruitment's index of registered ID numbers, kept by the unit of work as students register.

Only a keyed digest of each number is stored, so the index answers "registered already?"
without holding ID numbers in clear.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from sqlalchemy.exc import IntegrityError

from services.recruitment.adapters.tables import registrations
from services.recruitment.domain.student import Student
from shared.contracts.records import Event
from shared.contracts.recruitment.errors import DuplicateRegistrationError
from shared.contracts.recruitment.events import StudentRegistered
from shared.domain import Aggregate
from shared.eventstore.uow import IndexKeeper, UnitOfWork


def resident_id_digest(campaign_id: str, resident_id: str) -> str:
    """A one-way key for the per-campaign uniqueness check, so the index holds no ID numbers."""
    return hashlib.sha256(f"{campaign_id}:{resident_id}".encode()).hexdigest()


def reserve_resident_id(uow: UnitOfWork, _student: Student, new_events: Sequence[Event]) -> None:
    """Claim a registering student's ID number in its campaign, or refuse a second one.

    The primary key makes this safe against two registrations racing each other; after a
    refusal the command's transaction is rolled back as a whole.
    """
    for event in new_events:
        if not isinstance(event, StudentRegistered):
            continue
        try:
            uow.session.execute(
                registrations.insert().values(
                    campaign_id=event.campaign_id,
                    resident_id_digest=resident_id_digest(event.campaign_id, event.id_number),
                    student_id=event.student_id,
                )
            )
        except IntegrityError:
            raise DuplicateRegistrationError(
                "this ID number is already registered in the campaign", {"field": "id_number"}
            ) from None


KEEPERS: dict[type[Aggregate], IndexKeeper] = {Student: reserve_resident_id}
