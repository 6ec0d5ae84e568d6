"""Honours' index keepers (``KEEPERS``): the unit of work calls them with each command's new
events, in the command's transaction. A unique key refusing a row means a rival command got
there first: a concurrency conflict, so the command is decided again on fresh state (it never
happens while the handlers hold their locks, but the key is the last word)."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.honors.adapters.tables import (
    certificate_index,
    diary_index,
    letter_index,
    practice_index,
)
from services.honors.domain.appointment import Appointment
from services.honors.domain.award import Award
from services.honors.domain.diary import Diary
from services.honors.domain.practice import Practice
from shared.contracts.honors.events import (
    AppointmentDismissed,
    AppointmentMade,
    AppointmentTermEnded,
    CertificateIssued,
    CertificateRevoked,
    DiaryFeatured,
    DiarySubmitted,
    DiaryUnfeatured,
)
from shared.contracts.records import Event
from shared.domain import Aggregate, ConcurrencyConflictError
from shared.eventstore.uow import IndexKeeper, UnitOfWork


def keep_practice(uow: UnitOfWork, practice: Practice, _new_events: Sequence[Event]) -> None:
    """The placement's facts as they are now."""
    values = {
        "student_id": practice.student_id,
        "campaign_id": practice.campaign_id,
        "completed": practice.completed,
        "score": practice.score,
    }
    if practice.version == 0:
        statement = practice_index.insert().values(placement_id=practice.id, **values)
        _insert(uow.session, statement, practice)
        return
    rows = practice_index.c
    uow.session.execute(
        practice_index.update().where(rows.placement_id == practice.id).values(**values)
    )


def keep_certificates(uow: UnitOfWork, award: Award, new_events: Sequence[Event]) -> None:
    for event in new_events:
        if isinstance(event, CertificateIssued):
            statement = certificate_index.insert().values(
                serial=event.serial,
                award_id=event.award_id,
                student_id=event.student_id,
                campaign_id=event.campaign_id,
                title_code=event.title_code,
                year=event.year,
                number=event.number,
                revoked=False,
            )
            _insert(uow.session, statement, award)
        elif isinstance(event, CertificateRevoked):
            rows = certificate_index.c
            uow.session.execute(
                certificate_index.update().where(rows.serial == event.serial).values(revoked=True)
            )


def keep_letters(uow: UnitOfWork, appointment: Appointment, new_events: Sequence[Event]) -> None:
    for event in new_events:
        if isinstance(event, AppointmentMade):
            statement = letter_index.insert().values(
                serial=event.serial,
                appointment_id=event.appointment_id,
                student_id=event.student_id,
                committee=event.committee,
                year=event.year,
                number=event.number,
                term_ends_on=event.term_ends_on.isoformat(),
                ended=False,
            )
            _insert(uow.session, statement, appointment)
        elif isinstance(event, AppointmentTermEnded | AppointmentDismissed):
            rows = letter_index.c
            uow.session.execute(
                letter_index.update().where(rows.serial == event.serial).values(ended=True)
            )


def keep_diaries(uow: UnitOfWork, diary: Diary, new_events: Sequence[Event]) -> None:
    for event in new_events:
        if isinstance(event, DiarySubmitted):
            statement = diary_index.insert().values(
                diary_id=diary.id, student_id=event.student_id, featured=False
            )
            _insert(uow.session, statement, diary)
        elif isinstance(event, DiaryFeatured | DiaryUnfeatured):
            featured = isinstance(event, DiaryFeatured)
            rows = diary_index.c
            uow.session.execute(
                diary_index.update().where(rows.diary_id == diary.id).values(featured=featured)
            )


def _insert(session: Session, statement: sa.Insert, contended: Aggregate) -> None:
    try:
        session.execute(statement)
    except IntegrityError:
        raise ConcurrencyConflictError(contended.stream_id, contended.version) from None


KEEPERS: dict[type[Aggregate], IndexKeeper] = {
    Practice: keep_practice,
    Award: keep_certificates,
    Appointment: keep_letters,
    Diary: keep_diaries,
}
