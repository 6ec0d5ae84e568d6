"""Who may volunteer, and sign-ups through the handler table: seats, one sign-up per student
and activity, no two activities at once, withdrawal, no-shows, and recruitment's news."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from shared.contracts.volunteering import commands
from shared.contracts.volunteering.errors import (
    ActivityFullError,
    ActivityNotFoundError,
    ActivityStateError,
    NotAVolunteerError,
    SignUpConflictError,
)
from shared.eventstore.tables import inbox
from shared.kit.handlers import InboxClaim
from tests.volunteering_factories import (
    AFTERWARDS,
    DURING,
    OPERATOR,
    RECRUITMENT,
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


# -- who may volunteer ----------------------------------------------------------------------
def test_a_student_approved_in_the_campaigns_screening_signs_up(desk):
    activity = desk.activity()
    student = desk.volunteer()
    view = desk.sign_up(activity, student)
    assert view == {
        "activity_id": activity,
        "student_id": student,
        "status": "signed_up",
        "seats_taken": 1,
        "seats_left": 9,
    }
    assert desk.payloads("VolunteerSignedUp") == [{"activity_id": activity, "student_id": student}]


def test_a_student_recruitment_never_approved_is_not_a_volunteer(desk):
    error = refused(NotAVolunteerError, desk.sign_up, desk.activity(), new_id())
    assert error.code == "NOT_A_VOLUNTEER"


def test_an_approval_in_another_campaign_does_not_count_here(desk):
    student = desk.volunteer(campaign_id=new_id())
    refused(NotAVolunteerError, desk.sign_up, desk.activity(), student)


def test_a_spark_alliance_member_volunteers_in_any_campaign(desk):
    member = desk.volunteer(basis="alliance", campaign_id=new_id())
    assert desk.sign_up(desk.activity(), member)["status"] == "signed_up"


def test_a_student_approved_after_the_activity_was_scheduled_can_sign_up(desk):
    activity = desk.activity()
    student = new_id()
    refused(NotAVolunteerError, desk.sign_up, activity, student)
    desk.volunteer(student)
    assert desk.sign_up(activity, student)["status"] == "signed_up"


def test_a_known_qualification_records_nothing_new(desk):
    student = desk.volunteer()
    desk.volunteer(student)
    desk.volunteer(student, basis="alliance")
    desk.volunteer(student, basis="alliance", campaign_id=new_id())
    bases = [event["basis"] for event in desk.payloads("VolunteerQualified")]
    assert bases == ["screening", "alliance"]


def test_a_redelivered_approval_changes_nothing(desk):
    student, event_id = new_id(), new_id()
    qualification = commands.QualifyVolunteer(
        student_id=student, campaign_id=desk.campaign_id, basis="screening"
    )
    claim = InboxClaim("volunteering.on_student_screened", event_id)
    assert desk.run(qualification, RECRUITMENT, claim)["screened_in"] == [desk.campaign_id]
    assert desk.run(qualification, RECRUITMENT, claim) is None
    assert len(desk.events()) == 1
    with desk.engine.connect() as connection:
        assert connection.execute(inbox.select()).all()[0].event_id == event_id


# -- seats --------------------------------------------------------------------------------
def test_a_student_signs_up_only_themself_and_an_operator_anyone(desk):
    activity, student = desk.activity(), desk.volunteer()
    for stranger in (student_actor(new_id()), host_unit_actor(new_id())):
        refused(ActivityNotFoundError, desk.sign_up, activity, student, stranger)
    assert desk.sign_up(activity, student, OPERATOR)["status"] == "signed_up"


def test_the_last_seat_goes_to_one_student_and_the_next_is_refused_as_full(desk):
    activity = desk.activity(capacity=2)
    desk.signed_up_volunteer(activity)
    last = desk.sign_up(activity, desk.volunteer())
    assert (last["seats_taken"], last["seats_left"]) == (2, 0)
    error = refused(ActivityFullError, desk.sign_up, activity, desk.volunteer())
    assert (error.code, error.details) == (
        "ACTIVITY_FULL",
        {"activity_id": activity, "capacity": 2},
    )


def test_a_student_signs_up_once_for_an_activity(desk):
    activity = desk.activity()
    student = desk.signed_up_volunteer(activity)
    error = refused(SignUpConflictError, desk.sign_up, activity, student)
    assert error.code == "SIGN_UP_CONFLICT"
    assert len(desk.events("VolunteerSignedUp")) == 1


def test_a_student_holds_no_two_activities_that_overlap_in_time(desk):
    morning = desk.activity()
    student = desk.signed_up_volunteer(morning)
    overlapping = desk.activity(starts_at=STARTS_AT + timedelta(hours=1), kind="other", subject="")
    error = refused(SignUpConflictError, desk.sign_up, overlapping, student)
    assert error.details == {"overlapping_activity_id": morning}
    right_after = desk.activity(starts_at=STARTS_AT + timedelta(hours=2))
    assert desk.sign_up(right_after, student)["status"] == "signed_up"


def test_signing_up_closes_when_the_activity_starts(desk):
    activity, student = desk.activity(), desk.volunteer()
    desk.now = STARTS_AT
    refused(ActivityStateError, desk.sign_up, activity, student)


# -- withdrawal and no-shows ------------------------------------------------------------------
def test_a_withdrawal_before_the_start_frees_the_seat(desk):
    activity = desk.activity(capacity=1)
    leaving = desk.signed_up_volunteer(activity)
    waiting = desk.volunteer()
    refused(ActivityFullError, desk.sign_up, activity, waiting)
    view = desk.withdraw(activity, leaving)
    assert (view["status"], view["seats_left"]) == ("withdrawn", 1)
    assert desk.sign_up(activity, waiting)["status"] == "signed_up"
    [withdrew] = desk.payloads("VolunteerWithdrew")
    assert withdrew == {"activity_id": activity, "student_id": leaving, "reason": "exams"}


def test_a_student_who_withdrew_may_sign_up_again_while_seats_are_left(desk):
    activity = desk.activity()
    student = desk.signed_up_volunteer(activity)
    desk.withdraw(activity, student)
    assert desk.sign_up(activity, student)["status"] == "signed_up"


def test_no_withdrawal_after_the_start_nor_of_someone_else_nor_without_a_sign_up(desk):
    activity = desk.activity()
    student = desk.signed_up_volunteer(activity)
    refused(ActivityNotFoundError, desk.withdraw, activity, student, student_actor(new_id()))
    refused(SignUpConflictError, desk.withdraw, activity, desk.volunteer())
    desk.now = DURING
    refused(ActivityStateError, desk.withdraw, activity, student)


def test_the_coordinator_withdraws_a_volunteer(desk):
    host = new_id()
    activity = desk.activity(host_unit_id=host)
    student = desk.signed_up_volunteer(activity)
    assert desk.withdraw(activity, student, host_unit_actor(host))["status"] == "withdrawn"


def test_the_coordinator_records_a_no_show_after_the_start(desk):
    host = new_id()
    activity = desk.activity(host_unit_id=host)
    absent = desk.signed_up_volunteer(activity)
    refused(ActivityStateError, desk.no_show, activity, absent)
    desk.now = DURING
    refused(ActivityNotFoundError, desk.no_show, activity, absent, student_actor(absent))
    refused(ActivityNotFoundError, desk.no_show, activity, absent, host_unit_actor(new_id()))
    view = desk.no_show(activity, absent, host_unit_actor(host))
    assert view["status"] == "no_show"
    assert desk.payloads("NoShowRecorded") == [{"activity_id": activity, "student_id": absent}]
    error = refused(SignUpConflictError, desk.no_show, activity, absent)
    assert error.message == "the student was recorded as a no-show"


def test_a_no_show_is_recorded_only_for_a_student_who_signed_up(desk):
    activity = desk.activity()
    desk.now = DURING
    refused(SignUpConflictError, desk.no_show, activity, desk.volunteer())


# -- a student who withdraws from the campaign ------------------------------------------------
def test_a_withdrawn_students_sign_ups_to_come_are_released_and_past_ones_stay(desk):
    past = desk.activity()
    student = desk.signed_up_volunteer(past)
    coming = desk.activity(starts_at=STARTS_AT + timedelta(days=7))
    desk.sign_up(coming, student)
    other_campaign = new_id()
    desk.volunteer(student, campaign_id=other_campaign)
    elsewhere = desk.activity(campaign_id=other_campaign, starts_at=STARTS_AT + timedelta(days=8))
    desk.sign_up(elsewhere, student)
    desk.now = DURING
    hours_id = desk.approved_hours(past, student, hours=1)
    desk.release(student, reason="a summer job elsewhere")
    [released] = desk.payloads("VolunteerWithdrew")
    assert released == {
        "activity_id": coming,
        "student_id": student,
        "reason": "the student withdrew from the campaign: a summer job elsewhere",
    }
    assert desk.payloads("VolunteerReleased")[0]["campaign_id"] == desk.campaign_id
    desk.now = AFTERWARDS
    assert desk.log_hours(past, student, 0.5)["status"] == "pending"
    assert desk.correct(hours_id, 1.5)["status"] == "approved"


def test_a_withdrawn_student_volunteers_no_more_in_that_campaign(desk):
    student = desk.volunteer()
    desk.release(student)
    refused(NotAVolunteerError, desk.sign_up, desk.activity(), student)


def test_an_alliance_member_who_withdrew_from_a_campaign_is_released_there_only(desk):
    member = desk.volunteer(basis="alliance", campaign_id=new_id())
    desk.release(member)
    refused(NotAVolunteerError, desk.sign_up, desk.activity(), member)
    other_campaign = desk.activity(campaign_id=new_id())
    assert desk.sign_up(other_campaign, member)["status"] == "signed_up"


def test_a_withdrawal_that_overtakes_the_approval_still_wins(desk):
    student = new_id()
    desk.release(student)
    desk.volunteer(student)
    assert desk.events("VolunteerQualified") == []
    refused(NotAVolunteerError, desk.sign_up, desk.activity(), student)


def test_a_second_withdrawal_from_the_campaign_records_nothing(desk):
    student = desk.volunteer()
    desk.release(student)
    desk.release(student)
    assert len(desk.events("VolunteerReleased")) == 1
