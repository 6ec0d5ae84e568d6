"""Volunteers' hours through the handler table: logged pending, decided by a coordinator,
never more than the activity lasted, corrected by a new event and never edited."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from shared.contracts.schemas import InvalidArgumentsError
from shared.contracts.volunteering import commands
from shared.contracts.volunteering.errors import (
    ActivityNotFoundError,
    ActivityStateError,
    HoursExceedActivityError,
    HoursNotFoundError,
    HoursStateError,
    InvalidHoursDecisionError,
    SignUpConflictError,
)
from tests.volunteering_factories import (
    AFTERWARDS,
    BEFORE_START,
    STARTS_AT,
    VolunteeringDesk,
    host_unit_actor,
    in_memory_engine,
    new_id,
    student_actor,
)


@pytest.fixture
def desk() -> Iterator[VolunteeringDesk]:
    engine = in_memory_engine()
    yield VolunteeringDesk(engine)
    engine.dispose()


def refused(error: type[Exception], call, *args, **kwargs):
    with pytest.raises(error) as caught:
        call(*args, **kwargs)
    return caught.value


def attended(desk: VolunteeringDesk, **activity) -> tuple[str, str]:
    """(activity id, student id) of a two-hour activity the student signed up for, now over."""
    activity_id = desk.activity(**activity)
    student = desk.signed_up_volunteer(activity_id)
    desk.now = AFTERWARDS
    return activity_id, student


# -- logging ------------------------------------------------------------------------------
def test_a_volunteer_logs_their_hours_and_they_wait_pending_in_minutes(desk):
    activity, student = attended(desk)
    view = desk.log_hours(activity, student, 1.5)
    assert view == {
        "hours_id": view["hours_id"],
        "activity_id": activity,
        "student_id": student,
        "status": "pending",
        "minutes": 90,
        "hours": 1.5,
    }
    [logged] = desk.payloads("HoursLogged")
    assert logged == {
        "hours_id": view["hours_id"],
        "activity_id": activity,
        "student_id": student,
        "campaign_id": desk.campaign_id,
        "minutes": 90,
        "note": "cut paper with twelve children",
    }


def test_the_coordinator_logs_hours_for_a_volunteer_and_nobody_else_does(desk):
    host = new_id()
    activity, student = attended(desk, host_unit_id=host)
    for stranger in (student_actor(new_id()), host_unit_actor(new_id())):
        refused(ActivityNotFoundError, desk.log_hours, activity, student, 1, stranger)
    assert desk.log_hours(activity, student, 1, host_unit_actor(host))["status"] == "pending"


def test_hours_are_logged_once_the_activity_has_started(desk):
    activity = desk.activity()
    student = desk.signed_up_volunteer(activity)
    error = refused(ActivityStateError, desk.log_hours, activity, student)
    assert error.message == "hours are logged once the activity has started"


def test_hours_need_a_sign_up_that_was_kept(desk):
    activity = desk.activity()
    absent, withdrawn = desk.signed_up_volunteer(activity), desk.signed_up_volunteer(activity)
    desk.withdraw(activity, withdrawn)
    desk.now = AFTERWARDS
    desk.no_show(activity, absent)
    for student in (absent, withdrawn, desk.volunteer()):
        refused(SignUpConflictError, desk.log_hours, activity, student)


def test_no_hours_at_a_cancelled_activity(desk):
    activity = desk.activity()
    student = desk.signed_up_volunteer(activity)
    desk.run(commands.CancelActivity(activity_id=activity, reason="storm"))
    desk.now = AFTERWARDS
    refused(ActivityStateError, desk.log_hours, activity, student)


def test_hours_come_in_half_hour_steps_of_more_than_nothing():
    for hours in (0, 1.25, -1, "2"):
        arguments = {"activity_id": new_id(), "student_id": new_id(), "hours": hours}
        error = refused(InvalidArgumentsError, commands.LogHours.parse, arguments)
        assert set(error.details["fields"]) == {"hours"}


# -- the activity's duration is the limit ----------------------------------------------------
def test_pending_and_approved_hours_never_exceed_the_activitys_duration(desk):
    activity, student = attended(desk)
    desk.approved_hours(activity, student, 1)
    desk.log_hours(activity, student, 0.5)
    error = refused(HoursExceedActivityError, desk.log_hours, activity, student, 1)
    assert (error.code, error.details) == (
        "HOURS_EXCEED_ACTIVITY",
        {"activity_minutes": 120, "counted_minutes": 90, "requested_minutes": 60},
    )
    assert desk.log_hours(activity, student, 0.5)["status"] == "pending"


def test_declined_hours_do_not_count_against_the_limit(desk):
    activity, student = attended(desk)
    declined = desk.log_hours(activity, student, 2)["hours_id"]
    desk.decide(declined, "declined", "the classroom ended early")
    assert desk.log_hours(activity, student, 2)["minutes"] == 120


def test_the_limit_is_per_student(desk):
    activity, first = attended(desk)
    desk.now = BEFORE_START
    second = desk.signed_up_volunteer(activity)
    desk.now = AFTERWARDS
    desk.log_hours(activity, first, 2)
    assert desk.log_hours(activity, second, 2)["minutes"] == 120


def test_a_single_entry_longer_than_the_activity_is_refused(desk):
    activity, student = attended(desk, ends_at=STARTS_AT + timedelta(minutes=90))
    refused(HoursExceedActivityError, desk.log_hours, activity, student, 2)


# -- decisions ----------------------------------------------------------------------------
def test_the_coordinator_approves_pending_hours(desk):
    host = new_id()
    activity, student = attended(desk, host_unit_id=host)
    hours_id = desk.log_hours(activity, student)["hours_id"]
    view = desk.decide(hours_id, actor=host_unit_actor(host))
    assert (view["status"], view["minutes"]) == ("approved", 120)
    assert desk.payloads("HoursApproved") == [{"hours_id": hours_id, "minutes": 120}]


def test_an_operator_declines_hours_with_a_reason(desk):
    activity, student = attended(desk)
    hours_id = desk.log_hours(activity, student)["hours_id"]
    assert desk.decide(hours_id, "declined", "not at the classroom")["status"] == "declined"
    assert desk.payloads("HoursDeclined") == [
        {"hours_id": hours_id, "reason": "not at the classroom"}
    ]


def test_a_decline_needs_a_reason(desk):
    activity, student = attended(desk)
    hours_id = desk.log_hours(activity, student)["hours_id"]
    error = refused(InvalidHoursDecisionError, desk.decide, hours_id, "declined", "  ")
    assert (error.code, error.details) == ("INVALID_HOURS_DECISION", {"field": "reason"})


def test_hours_are_decided_once(desk):
    activity, student = attended(desk)
    hours_id = desk.approved_hours(activity, student)
    error = refused(HoursStateError, desk.decide, hours_id, "declined", "changed my mind")
    assert error.details == {"hours_id": hours_id, "status": "approved"}


def test_the_volunteer_and_other_host_units_do_not_decide(desk):
    activity, student = attended(desk, host_unit_id=new_id())
    hours_id = desk.log_hours(activity, student)["hours_id"]
    for stranger in (student_actor(student), host_unit_actor(new_id())):
        refused(HoursNotFoundError, desk.decide, hours_id, actor=stranger)
    refused(HoursNotFoundError, desk.decide, new_id())


# -- corrections --------------------------------------------------------------------------
def test_a_correction_is_a_new_event_that_keeps_the_old_figure(desk):
    activity, student = attended(desk)
    hours_id = desk.approved_hours(activity, student, 2)
    view = desk.correct(hours_id, 1.5, reason="left at half past ten")
    assert (view["status"], view["minutes"]) == ("approved", 90)
    assert desk.payloads("HoursCorrected") == [
        {
            "hours_id": hours_id,
            "minutes": 90,
            "previous_minutes": 120,
            "reason": "left at half past ten",
        }
    ]
    assert desk.payloads("HoursLogged")[0]["minutes"] == 120


def test_only_approved_hours_are_corrected(desk):
    activity, student = attended(desk)
    pending = desk.log_hours(activity, student, 1)["hours_id"]
    refused(HoursStateError, desk.correct, pending, 0.5)
    desk.decide(pending, "declined", "wrong activity")
    refused(HoursStateError, desk.correct, pending, 0.5)


def test_a_correction_stays_within_the_activitys_duration(desk):
    activity, student = attended(desk)
    first = desk.approved_hours(activity, student, 1)
    desk.log_hours(activity, student, 0.5)
    refused(HoursExceedActivityError, desk.correct, first, 2)
    assert desk.correct(first, 1.5)["minutes"] == 90
    refused(HoursExceedActivityError, desk.log_hours, activity, student, 0.5)


def test_only_a_coordinator_corrects(desk):
    activity, student = attended(desk)
    hours_id = desk.approved_hours(activity, student)
    refused(HoursNotFoundError, desk.correct, hours_id, 1, actor=student_actor(student))
