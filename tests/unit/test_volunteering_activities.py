"""Volunteering activities through the handler table: who schedules what, what an activity
must look like, rescheduling, cancellation, completion and the people reached."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from shared.contracts.schemas import InvalidArgumentsError
from shared.contracts.volunteering import commands
from shared.contracts.volunteering.errors import (
    ActivityNotFoundError,
    ActivityStateError,
    InvalidActivityError,
    SignUpConflictError,
)
from tests.volunteering_factories import (
    AFTERWARDS,
    DURING,
    STARTS_AT,
    VolunteeringDesk,
    host_unit_actor,
    in_memory_engine,
    make_activity_plan,
    new_id,
    student_actor,
)

LATER = STARTS_AT + timedelta(days=1)


@pytest.fixture
def desk() -> Iterator[VolunteeringDesk]:
    engine = in_memory_engine()
    yield VolunteeringDesk(engine)
    engine.dispose()


def refused(error: type[Exception], call, *args, **kwargs):
    with pytest.raises(error) as caught:
        call(*args, **kwargs)
    return caught.value


def reschedule(activity_id: str, starts_at=LATER, hours: int = 2) -> commands.RescheduleActivity:
    return commands.RescheduleActivity(
        activity_id=activity_id,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=hours),
        reason="the community centre is being painted",
    )


def cancel(activity_id: str) -> commands.CancelActivity:
    return commands.CancelActivity(activity_id=activity_id, reason="typhoon warning")


def complete(activity_id: str) -> commands.CompleteActivity:
    return commands.CompleteActivity(activity_id=activity_id)


def report(activity_id: str, children: int = 42) -> commands.ReportBeneficiaries:
    return commands.ReportBeneficiaries(
        activity_id=activity_id, children=children, residents=0, sessions=2
    )


# -- scheduling ---------------------------------------------------------------------------
def test_an_operator_schedules_a_classroom_and_the_answer_never_names_its_coordinator(desk):
    view = desk.schedule()
    assert view == {
        "activity_id": view["activity_id"],
        "campaign_id": desk.campaign_id,
        "host_unit_id": "",
        "title": "Paper-cutting for beginners",
        "kind": "classroom",
        "subject": "paper_cutting",
        "topic": "",
        "place": "Xiangyang Street community centre",
        "starts_at": "2023-07-15T09:00:00.000000Z",
        "ends_at": "2023-07-15T11:00:00.000000Z",
        "capacity": 10,
        "status": "scheduled",
        "seats_taken": 0,
        "seats_left": 10,
    }
    [scheduled] = desk.payloads("ActivityScheduled")
    assert scheduled["coordinator"] == "王芳"


def test_a_host_unit_schedules_an_activity_it_runs_itself(desk):
    host = new_id()
    view = desk.schedule(host_unit_actor(host), host_unit_id=host, kind="river_cleanup", subject="")
    assert (view["host_unit_id"], view["kind"]) == (host, "river_cleanup")


@pytest.mark.parametrize(
    "actor", [host_unit_actor(new_id()), student_actor(new_id())], ids=["host", "student"]
)
def test_nobody_else_schedules_a_host_units_activity(desk, actor):
    refused(ActivityNotFoundError, desk.schedule, actor, host_unit_id=new_id())


def test_a_host_unit_cannot_schedule_an_activity_the_committee_runs(desk):
    refused(ActivityNotFoundError, desk.schedule, host_unit_actor(new_id()), host_unit_id="")


def test_an_activity_must_end_after_it_starts(desk):
    error = refused(InvalidActivityError, desk.schedule, ends_at=STARTS_AT)
    assert error.details == {"field": "ends_at"}


@pytest.mark.parametrize(
    ("kind", "subject", "topic", "field"),
    [
        ("classroom", "", "", "subject"),
        ("safety_talk", "", "", "topic"),
        ("civilised_city", "painting", "", "subject"),
        ("classroom", "music", "sanitation", "topic"),
        ("other", "", "drowning_prevention", "topic"),
    ],
)
def test_a_subject_is_for_classrooms_only_and_a_topic_for_safety_talks_only(
    desk, kind, subject, topic, field
):
    error = refused(InvalidActivityError, desk.schedule, kind=kind, subject=subject, topic=topic)
    assert (error.code, error.details) == ("INVALID_ACTIVITY", {"field": field})


def test_a_safety_talk_with_a_topic_is_scheduled(desk):
    talk = desk.schedule(kind="safety_talk", subject="", topic="drowning_prevention")
    assert (talk["kind"], talk["topic"]) == ("safety_talk", "drowning_prevention")


def test_the_contract_refuses_an_unknown_kind_and_any_field_it_does_not_have(desk):
    arguments = make_activity_plan(desk.campaign_id).arguments()
    arguments |= {"kind": "party", "capacity": 0, "children_names": ["小明"]}
    error = refused(InvalidArgumentsError, commands.ScheduleActivity.parse, arguments)
    assert set(error.details["fields"]) == {"kind", "capacity", "children_names"}


# -- rescheduling ---------------------------------------------------------------------------
def test_a_coordinator_reschedules_before_the_start(desk):
    host = new_id()
    activity = desk.activity(host_unit_id=host)
    view = desk.run(reschedule(activity), host_unit_actor(host))
    assert (view["starts_at"], view["ends_at"]) == (
        "2023-07-16T09:00:00.000000Z",
        "2023-07-16T11:00:00.000000Z",
    )
    [event] = desk.payloads("ActivityRescheduled")
    assert event["reason"] == "the community centre is being painted"


def test_another_host_unit_or_a_student_does_not_see_the_activity_to_reschedule(desk):
    activity = desk.activity(host_unit_id=new_id())
    for stranger in (host_unit_actor(new_id()), student_actor(new_id())):
        refused(ActivityNotFoundError, desk.run, reschedule(activity), stranger)


def test_the_new_window_must_still_end_after_it_starts(desk):
    activity = desk.activity()
    refused(InvalidActivityError, desk.run, reschedule(activity, hours=0))


def test_a_reschedule_moves_to_a_start_still_to_come(desk):
    activity = desk.activity()
    desk.now = STARTS_AT - timedelta(hours=1)
    past = refused(InvalidActivityError, desk.run, reschedule(activity, starts_at=desk.now))
    assert past.details == {"field": "starts_at"}
    assert desk.payloads("ActivityRescheduled") == []
    desk.run(reschedule(activity, starts_at=desk.now + timedelta(minutes=1)))


def test_an_activity_that_has_started_or_was_cancelled_is_not_rescheduled(desk):
    started, cancelled = desk.activity(), desk.activity()
    desk.run(cancel(cancelled))
    desk.now = DURING
    refused(ActivityStateError, desk.run, reschedule(started))
    refused(ActivityStateError, desk.run, reschedule(cancelled))


def test_a_reschedule_onto_another_activity_of_a_volunteer_is_refused(desk):
    morning, afternoon = desk.activity(), desk.activity(starts_at=STARTS_AT + timedelta(hours=4))
    student = desk.volunteer()
    desk.sign_up(morning, student)
    desk.sign_up(afternoon, student)
    onto_afternoon = reschedule(morning, starts_at=STARTS_AT + timedelta(hours=3))
    error = refused(SignUpConflictError, desk.run, onto_afternoon)
    assert error.details == {"overlapping_activity_id": afternoon}


def test_a_rescheduled_activity_frees_its_old_time_for_its_volunteers(desk):
    moved = desk.activity()
    student = desk.signed_up_volunteer(moved)
    desk.run(reschedule(moved))
    at_the_old_time = desk.activity()
    assert desk.sign_up(at_the_old_time, student)["status"] == "signed_up"


# -- cancelling and completing --------------------------------------------------------------
def test_cancelling_releases_every_sign_up_and_frees_the_volunteers_time(desk):
    activity = desk.activity()
    students = sorted(desk.signed_up_volunteer(activity) for _ in range(3))
    view = desk.run(cancel(activity))
    assert (view["status"], view["seats_taken"], view["released"]) == ("cancelled", 0, students)
    [cancelled] = desk.payloads("ActivityCancelled")
    assert (cancelled["reason"], cancelled["released"]) == ("typhoon warning", students)
    same_time = desk.activity()
    assert desk.sign_up(same_time, students[0])["status"] == "signed_up"


def test_a_cancelled_activity_takes_no_sign_ups_and_is_not_cancelled_again(desk):
    activity = desk.activity()
    desk.run(cancel(activity))
    refused(ActivityStateError, desk.sign_up, activity, desk.volunteer())
    refused(ActivityStateError, desk.run, cancel(activity))


def test_an_activity_is_completed_once_it_has_started_and_only_once(desk):
    activity = desk.activity()
    error = refused(ActivityStateError, desk.run, complete(activity))
    assert error.code == "ACTIVITY_STATE_CONFLICT"
    desk.now = DURING
    assert desk.run(complete(activity))["status"] == "completed"
    refused(ActivityStateError, desk.run, complete(activity))
    refused(ActivityStateError, desk.run, cancel(activity))


def test_a_cancelled_activity_is_never_completed(desk):
    activity = desk.activity()
    desk.run(cancel(activity))
    desk.now = AFTERWARDS
    refused(ActivityStateError, desk.run, complete(activity))


def test_only_a_coordinator_completes_or_cancels(desk):
    host = new_id()
    activity = desk.activity(host_unit_id=host)
    desk.now = DURING
    refused(ActivityNotFoundError, desk.run, complete(activity), host_unit_actor(new_id()))
    refused(ActivityNotFoundError, desk.run, cancel(activity), student_actor(new_id()))
    assert desk.run(complete(activity), host_unit_actor(host))["status"] == "completed"


def test_an_unknown_activity_is_not_found(desk):
    error = refused(ActivityNotFoundError, desk.run, cancel(new_id()))
    assert error.code == "NOT_FOUND"


# -- beneficiaries ------------------------------------------------------------------------
def test_beneficiaries_are_reported_once_the_activity_has_started(desk):
    activity = desk.activity()
    refused(ActivityStateError, desk.run, report(activity))
    desk.now = DURING
    view = desk.run(report(activity))
    assert view == {"activity_id": activity, "children": 42, "residents": 0, "sessions": 2}


def test_a_later_report_replaces_the_earlier_one(desk):
    activity = desk.activity()
    desk.now = AFTERWARDS
    desk.run(report(activity, children=40))
    assert desk.run(report(activity, children=45))["children"] == 45
    assert [event["children"] for event in desk.payloads("BeneficiariesReported")] == [40, 45]


def test_only_the_coordinator_reports_and_never_for_a_cancelled_activity(desk):
    host = new_id()
    activity = desk.activity(host_unit_id=host)
    desk.now = AFTERWARDS
    refused(ActivityNotFoundError, desk.run, report(activity), host_unit_actor(new_id()))
    assert desk.run(report(activity), host_unit_actor(host))["children"] == 42
    cancelled = desk.activity()
    desk.now = STARTS_AT - timedelta(days=1)
    desk.run(cancel(cancelled))
    desk.now = AFTERWARDS
    refused(ActivityStateError, desk.run, report(cancelled))


def test_a_report_holds_counts_only(desk):
    arguments = report(new_id()).arguments() | {"children_names": ["小明", "小红"]}
    error = refused(InvalidArgumentsError, commands.ReportBeneficiaries.parse, arguments)
    assert set(error.details["fields"]) == {"children_names"}
