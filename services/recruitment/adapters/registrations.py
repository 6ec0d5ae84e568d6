"""The per-campaign index of registered ID numbers, written in the command's transaction."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.recruitment.adapters.tables import registrations
from services.recruitment.domain.errors import DuplicateRegistrationError


def reserve_resident_id(session: Session, campaign_id: str, digest: str, student_id: str) -> None:
    """Claim an ID number for a campaign, or refuse if it is already registered there.

    The unique key makes this safe against two registrations racing each other.
    """
    taken = session.execute(
        sa.select(registrations.c.student_id).where(
            registrations.c.campaign_id == campaign_id,
            registrations.c.resident_id_digest == digest,
        )
    ).first()
    if taken is not None:
        raise DuplicateRegistrationError(
            "this ID number is already registered in the campaign", {"field": "id_number"}
        )
    try:
        with session.begin_nested():
            session.execute(
                registrations.insert().values(
                    campaign_id=campaign_id, resident_id_digest=digest, student_id=student_id
                )
            )
    except IntegrityError:
        raise DuplicateRegistrationError(
            "this ID number is already registered in the campaign", {"field": "id_number"}
        ) from None
