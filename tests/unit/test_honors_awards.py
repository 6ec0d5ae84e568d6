"""Titles and awards through the handler table: who is eligible (from placement's and
recruitment's news), the quota, gapless serial numbers per year and title, revocation, and
who may do what."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from shared.contracts.honors import commands
from shared.contracts.honors.errors import (
    AwardNotFoundError,
    AwardStateError,
    CertificateNotFoundError,
    InvalidTitleError,
    NotEligibleError,
    QuotaExceededError,
    TitleNotFoundError,
)
from shared.contracts.schemas import InvalidArgumentsError
from shared.eventstore.tables import inbox
from shared.kit.handlers import InboxClaim
from tests.honors_factories import (
    PLACEMENT,
    HonorsDesk,
    in_memory_engine,
    make_nomination,
    new_id,
    student_actor,
)


@pytest.fixture
def desk() -> Iterator[HonorsDesk]:
    engine = in_memory_engine()
    yield HonorsDesk(engine)
    engine.dispose()


def refused(error: type[Exception], call, *args, **kwargs):
    with pytest.raises(error) as caught:
        call(*args, **kwargs)
    return caught.value


# -- eligibility ----------------------------------------------------------------------------
def test_a_completed_practice_evaluated_at_the_minimum_makes_a_student_eligible(desk):
    student = desk.practice(score=80)
    view = desk.nominate(student)
    assert view["status"] == "nominated"
    assert view["title_code"] == "ADV"
    assert "holder_name" not in view
    [nominated] = desk.payloads("AwardNominated")
    assert nominated["holder_name"] == "张三"
    assert nominated["citation"] == "Taught paper-cutting to 48 children all summer"


def test_a_student_without_a_completed_practice_is_not_eligible(desk):
    error = refused(NotEligibleError, desk.nominate, desk.practice(completed=False))
    assert error.code == "NOT_ELIGIBLE"
    assert error.details["reasons"] == ["no_completed_practice"]
    refused(NotEligibleError, desk.nominate, new_id())


def test_an_evaluation_below_the_titles_minimum_is_not_enough(desk):
    error = refused(NotEligibleError, desk.nominate, desk.practice(score=79))
    assert error.details["reasons"] == ["evaluation_below_minimum"]
    assert error.details["minimum_score"] == 80
    unevaluated = refused(NotEligibleError, desk.nominate, desk.practice(score=None))
    assert unevaluated.details["reasons"] == ["evaluation_below_minimum"]


def test_the_minimum_score_is_the_titles_own_rule(desk):
    desk.define_title("ADV", minimum_score=60)
    assert desk.nominate(desk.practice(score=65))["status"] == "nominated"


def test_a_practice_in_another_campaign_does_not_count_here(desk):
    student = desk.practice(campaign_id=new_id())
    refused(NotEligibleError, desk.nominate, student)


def test_a_rejection_in_the_campaigns_screening_rules_the_student_out(desk):
    student = desk.practice()
    desk.decline_screening(student)
    error = refused(NotEligibleError, desk.nominate, student)
    assert error.details["reasons"] == ["screening_declined"]


def test_a_later_evaluation_replaces_an_earlier_one_and_a_completion_may_come_first(desk):
    student, placement = new_id(), new_id()
    desk.run(commands.NotePracticeCompleted(placement_id=placement), PLACEMENT)
    desk.run(commands.NotePracticeEvaluated(placement_id=placement, score=50), PLACEMENT)
    desk.run(commands.NotePracticeEvaluated(placement_id=placement, score=90), PLACEMENT)
    noted = commands.NotePractice(
        placement_id=placement, student_id=student, campaign_id=desk.campaign_id
    )
    desk.run(noted, PLACEMENT)
    assert desk.nominate(student)["status"] == "nominated"


def test_eligibility_is_checked_again_when_the_award_is_granted(desk):
    student = desk.practice()
    award = desk.nominate(student)["award_id"]
    desk.decline_screening(student)
    refused(NotEligibleError, desk.grant, award)


def test_the_same_event_consumed_twice_is_kept_once(desk):
    claim = InboxClaim("honors.on_placement_completed", new_id())
    placement = new_id()
    completed = commands.NotePracticeCompleted(placement_id=placement)
    assert desk.run(completed, PLACEMENT, claim) is not None
    assert desk.run(completed, PLACEMENT, claim) is None
    assert len(desk.events("PracticeCompleted")) == 1
    with desk.engine.connect() as connection:
        assert len(connection.execute(inbox.select()).all()) == 1


# -- grants, certificates and serial numbers -----------------------------------------------
def test_a_grant_issues_a_certificate_with_the_years_first_serial(desk):
    student = desk.practice()
    award = desk.nominate(student)["award_id"]
    view = desk.grant(award)
    assert view["status"] == "granted"
    assert view["serial"] == "ADV-2023-0001"
    assert view["issued_at"] == "2023-09-01T09:00:00.000000Z"
    [granted] = desk.payloads("AwardGranted")
    assert granted == {
        "award_id": award,
        "student_id": student,
        "campaign_id": desk.campaign_id,
        "title_code": "ADV",
        "serial": "ADV-2023-0001",
    }
    [issued] = desk.payloads("CertificateIssued")
    assert (issued["year"], issued["number"], issued["title_name"]) == (2023, 1, "先进个人")
    assert issued["holder_name"] == "张三"


def test_serials_run_without_gaps_per_year_and_title_and_a_refusal_takes_no_number(desk):
    desk.define_title("GOOD", quota=5)
    first = desk.award()["serial"]
    refused(NotEligibleError, desk.nominate, desk.practice(score=10))
    second = desk.award()["serial"]
    other_title = desk.award(title_code="GOOD")["serial"]
    desk.now = datetime(2024, 1, 2, tzinfo=UTC)
    next_year = desk.award()["serial"]
    assert [first, second, other_title, next_year] == [
        "ADV-2023-0001",
        "ADV-2023-0002",
        "GOOD-2023-0001",
        "ADV-2024-0001",
    ]


def test_the_quota_refuses_the_grant_after_the_last_place_with_a_clear_conflict(desk):
    desk.define_title("ADV", quota=2)
    desk.award()
    desk.award()
    waiting = desk.nominate(desk.practice())["award_id"]
    error = refused(QuotaExceededError, desk.grant, waiting)
    assert (error.code, error.kind) == ("QUOTA_EXCEEDED", "conflict")
    assert error.details == {"title_code": "ADV", "campaign_id": desk.campaign_id, "quota": 2}
    assert len(desk.events("CertificateIssued")) == 2


def test_the_quota_counts_per_campaign(desk):
    desk.define_title("ADV", quota=1)
    desk.award()
    desk.campaign_id = new_id()
    assert desk.award()["serial"] == "ADV-2023-0002"


def test_the_default_title_allows_ten_advanced_individuals_a_campaign(desk):
    serials = [desk.award()["serial"] for _ in range(10)]
    assert serials[-1] == "ADV-2023-0010"
    refused(QuotaExceededError, desk.grant, desk.nominate(desk.practice())["award_id"])


def test_an_award_is_granted_once_and_a_student_holds_a_title_once_a_campaign(desk):
    student = desk.practice()
    award = desk.award(student)
    refused(AwardStateError, desk.grant, award["award_id"])
    again = desk.nominate(student)["award_id"]
    error = refused(AwardStateError, desk.grant, again)
    assert error.code == "AWARD_STATE_CONFLICT"


# -- revocation ------------------------------------------------------------------------------
def test_a_revoked_certificate_keeps_its_serial_records_the_reason_and_frees_its_place(desk):
    desk.define_title("ADV", quota=1)
    serial = desk.award()["serial"]
    view = desk.revoke(serial, "the practice record was falsified")
    assert (view["status"], view["serial"]) == ("revoked", serial)
    assert view["revoked_at"] == "2023-09-01T09:00:00.000000Z"
    [revoked] = desk.payloads("CertificateRevoked")
    assert revoked["reason"] == "the practice record was falsified"
    assert desk.award()["serial"] == "ADV-2023-0002"
    refused(AwardStateError, desk.revoke, serial)


def test_an_unknown_serial_is_not_found(desk):
    error = refused(CertificateNotFoundError, desk.revoke, "ADV-2023-0099")
    assert error.details == {"serial": "ADV-2023-0099"}


# -- titles and rights -----------------------------------------------------------------------
def test_titles_are_data_and_an_unknown_one_is_not_found(desk):
    view = desk.define_title("SPARK", quota=3, minimum_score=70)
    assert view == {
        "title_code": "SPARK",
        "name": "title SPARK",
        "quota": 3,
        "minimum_score": 70,
    }
    refused(TitleNotFoundError, desk.nominate, desk.practice(), title_code="NOPE")
    error = refused(InvalidTitleError, desk.define_title, "APT")
    assert error.code == "INVALID_TITLE"


def test_only_an_operator_nominates_grants_revokes_or_defines_titles(desk):
    student = desk.practice()
    as_student = student_actor(student)
    refused(AwardNotFoundError, desk.nominate, student, as_student)
    award = desk.nominate(student)["award_id"]
    refused(AwardNotFoundError, desk.grant, award, "host_unit:" + new_id())
    serial = desk.grant(award)["serial"]
    refused(CertificateNotFoundError, desk.revoke, serial, actor=as_student)
    title = commands.DefineTitle(title_code="ADV", name="x", quota=99, minimum_score=0)
    refused(TitleNotFoundError, desk.run, title, as_student)


def test_a_nomination_with_a_bad_title_code_or_no_citation_is_refused_by_its_contract():
    arguments = make_nomination(new_id(), new_id()).arguments()
    for bad in ({"title_code": "adv"}, {"citation": "   "}, {"holder_name": ""}):
        with pytest.raises(InvalidArgumentsError):
            commands.NominateForAward.parse(arguments | bad)
