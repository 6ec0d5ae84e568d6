"""What honours' handlers read from the indexes: the facts about a student in a campaign,
the certificates and letters issued so far, and a student's featured diaries."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.honors.adapters.tables import (
    certificate_index,
    diary_index,
    letter_index,
    practice_index,
)
from services.honors.domain.award import CertificatesStanding
from services.honors.domain.eligibility import PracticeFacts


def practices_of(session: Session, student_id: str, campaign_id: str) -> list[PracticeFacts]:
    rows = practice_index.c
    found = session.execute(
        sa.select(rows.placement_id, rows.completed, rows.score)
        .where(rows.student_id == student_id, rows.campaign_id == campaign_id)
        .order_by(rows.placement_id)
    )
    return [PracticeFacts(row.placement_id, bool(row.completed), row.score) for row in found]


def certificates_standing(
    session: Session, student_id: str, campaign_id: str, title_code: str, year: int
) -> CertificatesStanding:
    rows = certificate_index.c
    valid_of_title = sa.and_(rows.title_code == title_code, rows.revoked.is_(False))
    in_campaign = session.scalar(
        sa.select(sa.func.count()).where(valid_of_title, rows.campaign_id == campaign_id)
    )
    by_student = session.scalar(
        sa.select(sa.func.count()).where(
            valid_of_title, rows.campaign_id == campaign_id, rows.student_id == student_id
        )
    )
    last = session.scalar(
        sa.select(sa.func.coalesce(sa.func.max(rows.number), 0)).where(
            rows.title_code == title_code, rows.year == year
        )
    )
    return CertificatesStanding(
        held_by_student=bool(by_student),
        held_in_campaign=int(in_campaign or 0),
        last_number=int(last or 0),
    )


def award_of_certificate(session: Session, serial: str) -> str | None:
    rows = certificate_index.c
    return session.scalar(sa.select(rows.award_id).where(rows.serial == serial))


def active_letter(session: Session, student_id: str, committee: str, today: date) -> str | None:
    """The serial of the student's appointment of the committee that has neither ended nor
    run past its term, if any."""
    rows = letter_index.c
    return session.scalar(
        sa.select(rows.serial)
        .where(
            rows.student_id == student_id,
            rows.committee == committee,
            rows.ended.is_(False),
            rows.term_ends_on >= today.isoformat(),
        )
        .limit(1)
    )


def last_letter_number(session: Session, year: int) -> int:
    rows = letter_index.c
    last = session.scalar(
        sa.select(sa.func.coalesce(sa.func.max(rows.number), 0)).where(rows.year == year)
    )
    return int(last or 0)


def appointment_of_letter(session: Session, serial: str) -> str | None:
    rows = letter_index.c
    return session.scalar(sa.select(rows.appointment_id).where(rows.serial == serial))


def featured_diaries(session: Session, student_id: str) -> list[str]:
    rows = diary_index.c
    return list(
        session.scalars(
            sa.select(rows.diary_id)
            .where(rows.student_id == student_id, rows.featured.is_(True))
            .order_by(rows.diary_id)
        )
    )
