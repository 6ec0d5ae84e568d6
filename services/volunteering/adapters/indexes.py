"""Volunteering's indexes: kept by the unit of work from each command's new events
(``KEEPERS``), read by the handlers for what the streams alone cannot answer.

A sign-up's row lives while it holds a seat: a withdrawal, a no-show or the activity's
cancellation removes it, a reschedule moves its times. Its key (activity, student) refuses
a second sign-up racing the first; a lost race is a concurrency conflict, so the command is
decided again on fresh state.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.volunteering.adapters.tables import hours_index, sign_up_index
from services.volunteering.domain.activity import Activity
from services.volunteering.domain.hours import APPROVED, PENDING, HoursEntry
from shared.contracts.records import Event
from shared.contracts.volunteering.events import (
    ActivityCancelled,
    ActivityRescheduled,
    NoShowRecorded,
    VolunteerSignedUp,
    VolunteerWithdrew,
)
from shared.domain import Aggregate, ConcurrencyConflictError
from shared.events.canonical import format_timestamp
from shared.eventstore.uow import IndexKeeper, UnitOfWork


def keep_sign_ups(uow: UnitOfWork, activity: Activity, new_events: Sequence[Event]) -> None:
    """Each sign-up that holds a seat, with the activity's times."""
    rows = sign_up_index.c
    of_activity = rows.activity_id == activity.id
    for event in new_events:
        if isinstance(event, VolunteerSignedUp):
            _take_seat(uow, activity, event.student_id)
        elif isinstance(event, VolunteerWithdrew | NoShowRecorded):
            uow.session.execute(
                sign_up_index.delete().where(of_activity, rows.student_id == event.student_id)
            )
        elif isinstance(event, ActivityCancelled):
            uow.session.execute(sign_up_index.delete().where(of_activity))
        elif isinstance(event, ActivityRescheduled):
            times = {
                "starts_at": format_timestamp(event.starts_at),
                "ends_at": format_timestamp(event.ends_at),
            }
            uow.session.execute(sign_up_index.update().where(of_activity).values(**times))


def _take_seat(uow: UnitOfWork, activity: Activity, student_id: str) -> None:
    statement = sign_up_index.insert().values(
        activity_id=activity.id,
        student_id=student_id,
        campaign_id=activity.campaign_id,
        starts_at=format_timestamp(activity.starts_at),
        ends_at=format_timestamp(activity.ends_at),
    )
    _insert(uow.session, statement, activity)


def _insert(session: Session, statement: sa.Insert, contended: Aggregate) -> None:
    """Insert an index row; a unique key refusing it means a rival command got there first."""
    try:
        session.execute(statement)
    except IntegrityError:
        raise ConcurrencyConflictError(contended.stream_id, contended.version) from None


def keep_hours(uow: UnitOfWork, entry: HoursEntry, _new_events: Sequence[Event]) -> None:
    """Every hours entry's minutes and status as they are now."""
    values = {"minutes": entry.minutes, "status": entry.status}
    if entry.version == 0:
        statement = hours_index.insert().values(
            hours_id=entry.id, activity_id=entry.activity_id, student_id=entry.student_id, **values
        )
        _insert(uow.session, statement, entry)
        return
    uow.session.execute(
        hours_index.update().where(hours_index.c.hours_id == entry.id).values(**values)
    )


KEEPERS: dict[type[Aggregate], IndexKeeper] = {Activity: keep_sign_ups, HoursEntry: keep_hours}


def overlapping_sign_up(
    session: Session,
    student_ids: Collection[str],
    starts_at: datetime,
    ends_at: datetime,
    *,
    besides: str,
) -> str | None:
    """An activity other than ``besides`` that one of the students holds a seat at, whose
    time overlaps ``starts_at`` to ``ends_at`` (touching ends do not overlap)."""
    rows = sign_up_index.c
    return session.scalar(
        sa.select(rows.activity_id)
        .where(
            rows.student_id.in_(list(student_ids)),
            rows.activity_id != besides,
            rows.starts_at < format_timestamp(ends_at),
            rows.ends_at > format_timestamp(starts_at),
        )
        .order_by(rows.starts_at, rows.activity_id)
        .limit(1)
    )


def sign_ups_to_come(
    session: Session, student_id: str, campaign_id: str, now: datetime
) -> list[str]:
    """The activities of a campaign, not started yet, that the student holds a seat at."""
    rows = sign_up_index.c
    query = (
        sa.select(rows.activity_id)
        .where(
            rows.student_id == student_id,
            rows.campaign_id == campaign_id,
            rows.starts_at > format_timestamp(now),
        )
        .order_by(rows.activity_id)
    )
    return list(session.scalars(query))


def minutes_counted(
    session: Session, activity_id: str, student_id: str, *, besides: str = ""
) -> int:
    """The student's pending and approved minutes at the activity, but for entry ``besides``."""
    rows = hours_index.c
    total = session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(rows.minutes), 0)).where(
            rows.activity_id == activity_id,
            rows.student_id == student_id,
            rows.status.in_((PENDING, APPROVED)),
            rows.hours_id != besides,
        )
    )
    return int(total or 0)
