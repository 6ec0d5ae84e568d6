"""A create that its own caller sends again (its first answer was lost: a 503, a timeout)
answers the first result instead of a 409; anyone else, or other arguments, still hear
ALREADY_EXISTS. SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from shared.contracts.recruitment.commands import OpenCampaign
from shared.domain import AlreadyExistsError
from tests.factories import make_application, make_campaign_plan, make_resident_id
from tests.integration.test_taken_ids import RecruitmentDesk


@pytest.fixture
def recruitment(database_url):
    desk = RecruitmentDesk(database_url)
    yield desk
    desk.engine.dispose()


def open_campaign(recruitment: RecruitmentDesk) -> str:
    plan = make_campaign_plan()
    recruitment.run(plan)
    recruitment.run(OpenCampaign(campaign_id=plan.campaign_id))
    return plan.campaign_id


def test_a_registration_sent_again_by_its_caller_answers_the_first_result(recruitment):
    campaign_id = open_campaign(recruitment)
    registration = make_application(campaign_id=campaign_id, id_number=make_resident_id(11))
    first = recruitment.run(registration)
    written = recruitment.count()
    assert recruitment.run(registration) == first
    assert recruitment.count() == written


def test_a_campaign_created_again_answers_as_created_even_after_it_was_opened(recruitment):
    plan = make_campaign_plan()
    first = recruitment.run(plan)
    recruitment.run(OpenCampaign(campaign_id=plan.campaign_id))
    written = recruitment.count()
    again = recruitment.run(plan)
    assert (again, again["status"]) == (first, "draft")
    assert recruitment.count() == written


def test_the_same_registration_from_another_caller_is_already_exists(recruitment):
    campaign_id = open_campaign(recruitment)
    registration = make_application(campaign_id=campaign_id, id_number=make_resident_id(12))
    recruitment.run(registration, actor="operator:op-1")
    with pytest.raises(AlreadyExistsError):
        recruitment.run(registration, actor="operator:op-2")


def test_the_same_id_with_other_arguments_is_already_exists(recruitment):
    campaign_id = open_campaign(recruitment)
    registration = make_application(campaign_id=campaign_id, id_number=make_resident_id(13))
    recruitment.run(registration)
    changed = make_application(
        campaign_id=campaign_id,
        student_id=registration.student_id,
        id_number=make_resident_id(13),
        university="Wuhan University",
    )
    with pytest.raises(AlreadyExistsError):
        recruitment.run(changed)
