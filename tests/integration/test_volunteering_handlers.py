"""Volunteering's handlers on the real event store, its migrations and its indexes, SQLite and
PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import eventlet
import pytest
import sqlalchemy as sa

from services.volunteering.adapters.tables import hours_index, sign_up_index
from shared.contracts.volunteering import commands
from shared.domain import DomainError
from shared.eventstore.database import create_database_engine
from shared.eventstore.tables import events, outbox
from shared.migrations import upgrade_to_head
from tests.volunteering_factories import (
    AFTERWARDS,
    STARTS_AT,
    VolunteeringDesk,
    host_unit_actor,
    new_id,
)


@pytest.fixture
def desk(database_url):
    upgrade_to_head(database_url, "services.volunteering.migrations")
    engine = create_database_engine(database_url, green=True)
    yield VolunteeringDesk(engine)
    engine.dispose()


def rows(desk: VolunteeringDesk, table: sa.Table) -> list[tuple[object, ...]]:
    with desk.engine.connect() as connection:
        return [tuple(row) for row in connection.execute(sa.select(table))]


def test_a_classroom_runs_from_scheduling_to_corrected_hours_and_every_event_waits_in_the_outbox(
    desk,
):
    host = new_id()
    activity = desk.activity(host_unit_id=host)
    student = desk.signed_up_volunteer(activity)
    desk.now = AFTERWARDS
    as_host = host_unit_actor(host)
    desk.run(commands.CompleteActivity(activity_id=activity), as_host)
    report = commands.ReportBeneficiaries(
        activity_id=activity, children=48, residents=0, sessions=4
    )
    desk.run(report, as_host)
    hours_id = desk.log_hours(activity, student, 2)["hours_id"]
    desk.decide(hours_id, actor=as_host)
    assert desk.correct(hours_id, 1.5, actor=as_host)["minutes"] == 90
    with desk.engine.connect() as connection:
        pending = connection.execute(
            sa.select(events.c.event_type)
            .join(outbox, outbox.c.seq == events.c.seq)
            .order_by(events.c.seq)
        ).scalars()
        assert list(pending) == [
            "ActivityScheduled",
            "VolunteerQualified",
            "VolunteerSignedUp",
            "ActivityCompleted",
            "BeneficiariesReported",
            "HoursLogged",
            "HoursApproved",
            "HoursCorrected",
        ]
    assert rows(desk, hours_index) == [(hours_id, activity, student, 90, "approved")]


def test_the_sign_up_index_follows_sign_ups_reschedules_withdrawals_and_cancellations(desk):
    kept, cancelled = desk.activity(), desk.activity(starts_at=STARTS_AT + timedelta(days=1))
    staying, leaving = desk.signed_up_volunteer(kept), desk.signed_up_volunteer(kept)
    desk.sign_up(cancelled, staying)
    desk.withdraw(kept, leaving)
    moved_to = STARTS_AT + timedelta(days=2)
    desk.run(
        commands.RescheduleActivity(
            activity_id=kept,
            starts_at=moved_to,
            ends_at=moved_to + timedelta(hours=3),
            reason="the hall is booked",
        )
    )
    desk.run(commands.CancelActivity(activity_id=cancelled, reason="typhoon"))
    assert rows(desk, sign_up_index) == [
        (
            kept,
            staying,
            desk.campaign_id,
            "2023-07-17T09:00:00.000000Z",
            "2023-07-17T12:00:00.000000Z",
        )
    ]


def test_a_withdrawal_racing_sign_ups_leaves_the_student_no_seat_to_come(desk):
    """The release holds the student's activities before the student, as every command
    does; so it never waits in a circle with the sign-ups around it."""
    activities = [
        desk.activity(starts_at=STARTS_AT + timedelta(days=day), capacity=5) for day in range(4)
    ]
    leaving = desk.volunteer()
    for activity in activities[:3]:
        desk.sign_up(activity, leaving)
    others = [desk.volunteer() for _ in range(12)]

    def attempt(run) -> str:
        try:
            run()
        except DomainError as refused:
            return refused.code
        return "done"

    pool = eventlet.GreenPool()
    outcomes = [pool.spawn(attempt, lambda: desk.release(leaving))]
    outcomes.append(pool.spawn(attempt, lambda: desk.sign_up(activities[3], leaving)))
    for number, student in enumerate(others):
        activity = activities[number % 3]
        outcomes.append(pool.spawn(attempt, lambda a=activity, s=student: desk.sign_up(a, s)))
    codes = [outcome.wait() for outcome in outcomes]
    assert codes[0] == "done"
    assert set(codes[2:]) == {"done"}
    held = [row for row in rows(desk, sign_up_index) if row[1] == leaving]
    assert held == []
    # Signed up for the fourth before the release (then released there too), or refused after.
    late_sign_up = codes[1]
    assert late_sign_up in ("done", "NOT_A_VOLUNTEER")
    assert len(desk.events("VolunteerWithdrew")) == 3 + (late_sign_up == "done")
