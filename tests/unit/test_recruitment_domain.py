from datetime import UTC, datetime

import pytest

from services.recruitment.domain.campaign import Campaign
from services.recruitment.domain.student import Student
from shared.contracts.recruitment.errors import (
    AllianceMembershipError,
    AllianceNotEligibleError,
    AlreadyScreenedError,
    CampaignStateError,
    InvalidCampaignError,
    RegistrationClosedError,
    StudentWithdrawnError,
)
from shared.contracts.recruitment.events import CampaignOpened, StudentScreened
from tests.factories import make_application, make_campaign_plan

IN_WINDOW = datetime(2023, 6, 1, tzinfo=UTC)


def open_campaign() -> Campaign:
    campaign = Campaign.create(make_campaign_plan(campaign_id="c-1"))
    campaign.open()
    return campaign


def test_accepts_registration_inside_the_window_of_an_open_campaign():
    open_campaign().check_registration_open(IN_WINDOW)


def test_rejects_registration_after_window_closes():
    with pytest.raises(RegistrationClosedError):
        open_campaign().check_registration_open(datetime(2023, 6, 30, tzinfo=UTC))


def test_rejects_registration_before_window_opens():
    with pytest.raises(RegistrationClosedError):
        open_campaign().check_registration_open(datetime(2023, 4, 30, tzinfo=UTC))


def test_rejects_registration_for_a_campaign_not_yet_opened():
    with pytest.raises(RegistrationClosedError):
        Campaign.create(make_campaign_plan(campaign_id="c-1")).check_registration_open(IN_WINDOW)


def test_rejects_registration_for_a_closed_campaign():
    campaign = open_campaign()
    campaign.close()
    with pytest.raises(RegistrationClosedError):
        campaign.check_registration_open(IN_WINDOW)


def test_refuses_a_window_that_closes_before_it_opens():
    with pytest.raises(InvalidCampaignError):
        Campaign.create(make_campaign_plan(registration_closes_at=datetime(2023, 4, 1, tzinfo=UTC)))


def test_refuses_to_open_a_campaign_twice():
    with pytest.raises(CampaignStateError):
        open_campaign().open()


def test_replaying_a_campaign_gives_the_same_state_as_running_it():
    live = open_campaign()
    events = [
        *Campaign.create(make_campaign_plan(campaign_id="c-1")).pull_pending_events(),
        CampaignOpened("c-1"),
    ]
    replayed = Campaign.replay("c-1", events)
    assert (replayed.status, replayed.version) == (live.status, 2)


def test_screening_approves_a_registered_student():
    student = Student.register(make_application(student_id="s-1", campaign_id="c-1"))
    student.screen("approved", "good fit")
    assert student.status == "approved"
    assert isinstance(student.pull_pending_events()[-1], StudentScreened)


def test_refuses_to_screen_a_student_twice():
    student = Student.register(make_application(student_id="s-1", campaign_id="c-1"))
    student.screen("rejected", "incomplete documents")
    with pytest.raises(AlreadyScreenedError):
        student.screen("approved", "changed mind")


def test_a_withdrawn_student_cannot_be_screened_or_withdraw_again():
    student = Student.register(make_application(student_id="s-1", campaign_id="c-1"))
    student.withdraw("summer job elsewhere")
    with pytest.raises(StudentWithdrawnError):
        student.screen("approved", "")
    with pytest.raises(StudentWithdrawnError):
        student.withdraw("again")


def test_alliance_membership_can_be_joined_and_left_once_each():
    student = Student.register(make_application(student_id="s-1", campaign_id="c-1"))
    student.screen("approved", "good fit")
    student.join_alliance()
    with pytest.raises(AllianceMembershipError):
        student.join_alliance()
    student.leave_alliance()
    with pytest.raises(AllianceMembershipError):
        student.leave_alliance()


@pytest.mark.parametrize("fate", ["registered", "rejected", "withdrawn"])
def test_only_a_student_who_took_part_may_join_the_alliance(fate):
    student = Student.register(make_application(student_id="s-1", campaign_id="c-1"))
    if fate == "rejected":
        student.screen("rejected", "incomplete documents")
    if fate == "withdrawn":
        student.screen("approved", "good fit")
        student.withdraw("summer job elsewhere")
    with pytest.raises(AllianceNotEligibleError) as refused:
        student.join_alliance()
    assert refused.value.details == {"status": fate}
