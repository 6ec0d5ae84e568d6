"""The per-campaign index of registered ID numbers, written in the command's transaction."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.recruitment.adapters.tables import registrations
from services.recruitment.domain.errors import DuplicateRegistrationError


def reserve_resident_id(session: Session, campaign_id: str, digest: str, student_id: str) -> None:
    """Claim an ID number for a campaign, or refuse if it is already registered there.

    The primary key makes this safe against two registrations racing each other; after a
    refusal the command's transaction is rolled back as a whole.
    """
    try:
        session.execute(
            registrations.insert().values(
                campaign_id=campaign_id, resident_id_digest=digest, student_id=student_id
            )
        )
    except IntegrityError:
        raise DuplicateRegistrationError(
            "this ID number is already registered in the campaign", {"field": "id_number"}
        ) from None
