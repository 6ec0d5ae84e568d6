"""Host units, positions, readiness gates, completion and recruitment's news, through the
handler table on an in-memory SQLite database."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from shared.contracts.placement import commands, placements
from shared.contracts.placement.errors import (
    CandidateNotEligibleError,
    DocumentVersionError,
    HostUnitNotFoundError,
    InsuranceCoverageError,
    InsuredPersonError,
    InvalidAssessmentError,
    InvalidPositionError,
    InvalidRankingError,
    OfferStateError,
    PlacementNotFoundError,
    PlacementNotReadyError,
    PlacementPeriodError,
    PositionNotFoundError,
    PositionStateError,
)
from shared.contracts.schemas import InvalidArgumentsError
from shared.eventstore.tables import inbox
from shared.kit.handlers import InboxClaim
from tests.placement_factories import (
    PlacementDesk,
    host_unit_actor,
    in_memory_engine,
    make_completion,
    make_document,
    make_evaluation,
    make_feedback,
    make_host_unit_registration,
    make_insurance,
    make_posting,
    make_publication,
    make_training,
    new_id,
    student_actor,
)

STARTED_ON = date(2023, 7, 10)
AFTER_THE_PERIOD = datetime(2023, 8, 11, 9, 0, tzinfo=UTC)


@pytest.fixture
def desk() -> Iterator[PlacementDesk]:
    engine = in_memory_engine()
    yield PlacementDesk(engine)
    engine.dispose()


def refused(error: type[Exception], call, *args, **kwargs):
    with pytest.raises(error) as caught:
        call(*args, **kwargs)
    return caught.value


def agreed_placement(desk: PlacementDesk, **posting) -> tuple[str, str, str]:
    """(placement id, student id, host unit id) of a directly placed student."""
    host = desk.host_unit()
    student = desk.admit()
    placement = desk.place_directly(student, desk.position(host, **posting))["placement_id"]
    return placement, student, host


def start(desk: PlacementDesk, placement_id: str) -> placements.StartPlacement:
    """The start on the position's first day, run after the period (so it has come)."""
    desk.now = AFTER_THE_PERIOD
    return placements.StartPlacement(placement_id=placement_id, started_on=STARTED_ON)


def test_a_host_unit_registers_itself_and_its_view_holds_no_personal_data(desk):
    host_unit_id = new_id()
    registration = make_host_unit_registration(host_unit_id=host_unit_id)
    view = desk.run(registration, host_unit_actor(host_unit_id))
    assert view == {
        "host_unit_id": host_unit_id,
        "name": "District Civil Affairs Bureau",
        "kind": "district government bureau",
        "township": "Chengguan Town",
    }


def test_a_host_unit_cannot_register_or_post_for_another_unit(desk):
    other = desk.host_unit()
    me = host_unit_actor(new_id())
    refused(HostUnitNotFoundError, desk.run, make_host_unit_registration(), me)
    refused(HostUnitNotFoundError, desk.run, make_posting(other, desk.campaign_id), me)


def test_a_host_unit_cannot_touch_another_units_position(desk):
    owner, intruder = desk.host_unit(), desk.host_unit()
    position = desk.position(owner)
    for command in (
        commands.ClosePosition(position_id=position, reason="mine now"),
        commands.WithdrawPosition(position_id=position, reason="mine now"),
        commands.RankApplicants(position_id=position, student_ids=()),
    ):
        refused(PositionNotFoundError, desk.run, command, host_unit_actor(intruder))
    assert desk.events("PositionClosed") == []


def test_refuses_a_position_that_ends_before_it_starts_or_has_no_seat(desk):
    host = desk.host_unit()
    refused(InvalidPositionError, desk.position, host, ends_on=date(2023, 7, 1))
    no_seat = refused(InvalidArgumentsError, desk.position, host, capacity=0)
    assert list(no_seat.details["fields"]) == ["capacity"]


def test_a_position_closes_once(desk):
    host = desk.host_unit()
    position = desk.position(host)
    close = commands.ClosePosition(position_id=position, reason="filled")
    view = desk.run(close, host_unit_actor(host))
    assert (view["position_id"], view["status"]) == (position, "closed")
    refused(PositionStateError, desk.run, close)


def test_withdrawing_a_position_ends_its_agreed_placements(desk):
    placement, student, host = agreed_placement(desk)
    position = desk.events("PositionPosted")[0].payload["position_id"]
    withdrawal = commands.WithdrawPosition(position_id=position, reason="budget cut")
    assert desk.run(withdrawal, host_unit_actor(host))["status"] == "withdrawn"
    assert [e.payload["placement_id"] for e in desk.events("PlacementEnded")] == [placement]
    assert desk.place_directly(student, desk.position(host))["status"] == "agreed"


def test_a_position_with_a_started_placement_cannot_be_withdrawn(desk):
    placement, student, host = agreed_placement(desk)
    desk.make_ready(placement, student, host)
    desk.run(start(desk, placement), host_unit_actor(host))
    position = desk.events("PositionPosted")[0].payload["position_id"]
    withdrawal = commands.WithdrawPosition(position_id=position, reason="budget cut")
    refused(PositionStateError, desk.run, withdrawal)


def test_a_host_unit_ranks_only_students_who_applied(desk):
    host = desk.host_unit()
    position = desk.position(host)
    applicant, stranger = desk.admit(), desk.admit()
    desk.open_selection()
    desk.rank(applicant, position)
    rejection = refused(InvalidRankingError, desk.rank_applicants, host, position, stranger)
    assert rejection.details == {"not_applicants": [stranger]}
    view = desk.rank_applicants(host, position, unacceptable=(applicant,))
    assert view == {"position_id": position, "student_ids": [], "unacceptable": [applicant]}


def test_start_is_refused_listing_exactly_the_missing_gates(desk):
    placement, student, host = agreed_placement(desk)
    rejection = refused(PlacementNotReadyError, desk.run, start(desk, placement))
    assert rejection.code == "PLACEMENT_NOT_READY"
    assert rejection.details == {
        "missing": ["insurance", "training", "practice_notice", "confidentiality_commitment"]
    }
    desk.run(make_training(placement), host_unit_actor(host))
    desk.publish_documents()
    desk.run(make_document(placement, "practice_notice"), student_actor(student))
    rejection = refused(PlacementNotReadyError, desk.run, start(desk, placement))
    assert rejection.details == {"missing": ["insurance", "confidentiality_commitment"]}
    assert desk.events("PlacementStarted") == []


def test_insurance_must_cover_the_whole_placement_period(desk):
    placement, _student, host = agreed_placement(desk)
    short = make_insurance(placement, covers_until=date(2023, 8, 9))
    rejection = refused(InsuranceCoverageError, desk.run, short, host_unit_actor(host))
    assert rejection.details["ends_on"] == "2023-08-10"
    refused(
        InsuranceCoverageError, desk.run, make_insurance(placement, covers_from=date(2023, 7, 11))
    )
    backwards = make_insurance(
        placement, covers_from=date(2023, 8, 31), covers_until=date(2023, 7, 1)
    )
    refused(InsuranceCoverageError, desk.run, backwards)
    exact = make_insurance(placement, covers_from=date(2023, 7, 10), covers_until=date(2023, 8, 10))
    assert desk.run(exact)["gates"]["insurance"] is True


def test_gates_need_an_agreement_first(desk):
    host = desk.host_unit()
    position = desk.position(host)
    student = desk.admit()
    desk.open_selection()
    desk.rank(student, position)
    desk.rank_applicants(host, position, student)
    offered = desk.match()[student]
    refused(OfferStateError, desk.run, make_training(offered))


def test_a_ready_placement_starts_completes_and_is_assessed_by_both_sides(desk):
    placement, student, host = agreed_placement(desk)
    as_host, as_student = host_unit_actor(host), student_actor(student)
    desk.make_ready(placement, student, host)
    view = desk.run(start(desk, placement), as_host)
    assert view["status"] == "started"
    assert all(view["gates"].values())
    desk.run(make_completion(placement), as_host)
    desk.run(make_evaluation(placement), as_host)
    view = desk.run(make_feedback(placement), as_student)
    assert view["status"] == "completed"
    assert [e.event_type for e in desk.events()][-4:] == [
        "PlacementStarted",
        "PlacementCompleted",
        "PlacementEvaluated",
        "FeedbackSubmitted",
    ]
    refused(OfferStateError, desk.run, make_evaluation(placement))


def test_refuses_assessments_out_of_range(desk):
    placement, student, host = agreed_placement(desk)
    desk.make_ready(placement, student, host)
    desk.run(start(desk, placement))
    nothing = make_completion(placement, days_served=0, hours_served=0)
    assert refused(InvalidAssessmentError, desk.run, nothing).code == "INVALID_ASSESSMENT"
    for command, field in (
        (make_completion(placement, days_served=367), "days_served"),
        (make_evaluation(placement, score=101), "score"),
        (make_feedback(placement, rating=0), "rating"),
    ):
        rejection = refused(InvalidArgumentsError, desk.run, command)
        assert list(rejection.details["fields"]) == [field]
    desk.run(make_completion(placement, days_served=0))
    assert desk.run(make_evaluation(placement, score=100))["status"] == "completed"


def test_only_the_student_signs_and_gives_feedback_and_only_the_host_evaluates(desk):
    placement, student, host = agreed_placement(desk)
    as_host, as_student = host_unit_actor(host), student_actor(student)
    refused(PlacementNotFoundError, desk.run, make_document(placement, "practice_notice"), as_host)
    refused(PlacementNotFoundError, desk.run, make_feedback(placement), as_host)
    refused(PlacementNotFoundError, desk.run, make_insurance(placement), as_student)
    refused(PlacementNotFoundError, desk.run, make_evaluation(placement), as_student)


def test_a_withdrawal_ends_the_agreed_placement_and_frees_its_seat(desk):
    placement, student, _host = agreed_placement(desk)
    position = desk.events("PositionPosted")[0].payload["position_id"]
    desk.withdraw(student)
    ended = desk.events("PlacementEnded")
    assert [e.payload["placement_id"] for e in ended] == [placement]
    assert ended[0].payload["reason"].startswith("the student withdrew")
    assert desk.place_directly(desk.admit(), position)["status"] == "agreed"


def test_a_withdrawal_before_the_approval_wins(desk):
    student = new_id()
    desk.withdraw(student)
    desk.admit(student)
    assert [e.event_type for e in desk.events()] == ["CandidateWithdrew"]
    position = desk.position(desk.host_unit())
    refused(CandidateNotEligibleError, desk.place_directly, student, position)


def test_the_same_event_delivered_three_times_takes_effect_once(desk):
    admission = commands.AdmitCandidate(student_id=new_id(), campaign_id=desk.campaign_id)
    claim = InboxClaim("placement.on_student_screened", new_id())
    answers = [desk.run(admission, "event:recruitment", claim) for _ in range(3)]
    assert answers[0]["eligible"] is True
    assert answers[1:] == [None, None]
    assert [e.event_type for e in desk.events()] == ["CandidateAdmitted"]
    with desk.engine.connect() as connection:
        consumed = connection.execute(sa.select(inbox.c.consumer, inbox.c.event_id)).all()
    assert consumed == [(claim.consumer, claim.event_id)]


def test_a_placement_starts_within_its_period_and_not_before_the_day_has_come(desk):
    placement, student, host = agreed_placement(desk)
    desk.make_ready(placement, student, host)
    too_soon = placements.StartPlacement(placement_id=placement, started_on=date(2023, 7, 9))
    desk.now = AFTER_THE_PERIOD
    assert refused(PlacementPeriodError, desk.run, too_soon).code == "OUTSIDE_PLACEMENT_PERIOD"
    desk.now = datetime(2023, 7, 1, tzinfo=UTC)
    first_day = placements.StartPlacement(placement_id=placement, started_on=STARTED_ON)
    rejection = refused(PlacementPeriodError, desk.run, first_day)
    assert rejection.details["today"] == "2023-07-01"
    desk.now = datetime(2023, 7, 10, 8, 0, tzinfo=UTC)
    assert desk.run(first_day)["status"] == "started"


def test_no_more_days_are_served_than_have_passed_since_the_start(desk):
    placement, student, host = agreed_placement(desk)
    desk.make_ready(placement, student, host)
    desk.now = datetime(2023, 7, 10, 8, 0, tzinfo=UTC)
    desk.run(placements.StartPlacement(placement_id=placement, started_on=STARTED_ON))
    desk.now = datetime(2023, 7, 19, 18, 0, tzinfo=UTC)  # the tenth day
    eleven = make_completion(placement, days_served=11)
    assert refused(PlacementPeriodError, desk.run, eleven).details["started_on"] == "2023-07-10"
    assert desk.run(make_completion(placement, days_served=10))["status"] == "completed"


def test_a_student_signs_only_a_published_version_by_its_hash(desk):
    placement, student, _host = agreed_placement(desk)
    as_student = student_actor(student)
    notice = make_document(placement, "practice_notice")
    assert refused(DocumentVersionError, desk.run, notice, as_student).details == {
        "document_kind": "practice_notice",
        "version": "2023.1",
    }
    desk.publish_documents()
    altered = make_document(placement, "practice_notice", content_hash="sha256:" + "ab" * 32)
    refused(DocumentVersionError, desk.run, altered, as_student)
    assert desk.run(notice, as_student)["gates"]["practice_notice"]
    again = make_publication("practice_notice", text="a different text for the same version")
    assert refused(DocumentVersionError, desk.run, again).code == "DOCUMENT_VERSION_CONFLICT"
    refused(
        DocumentVersionError, desk.run, make_publication("practice_notice", version="2"), as_student
    )


def test_the_policy_names_the_placed_student_as_registered(desk):
    placement, _student, host = agreed_placement(desk)
    as_host = host_unit_actor(host)
    someone_else = make_insurance(placement, insured_person="王芳")
    rejection = refused(InsuredPersonError, desk.run, someone_else, as_host)
    assert rejection.code == "INSURED_PERSON_MISMATCH"
    assert "王芳" not in repr(rejection.details) + rejection.message
    spaced = make_insurance(placement, insured_person=" 李 明 ")
    assert desk.run(spaced, as_host)["gates"]["insurance"]


def test_a_policy_waits_for_the_registered_name_to_reach_placement(desk):
    host = desk.host_unit()
    student = new_id()
    desk.run(
        commands.AdmitCandidate(student_id=student, campaign_id=desk.campaign_id),
        "event:recruitment",
    )
    placement = desk.place_directly(student, desk.position(host))["placement_id"]
    rejection = refused(InsuredPersonError, desk.run, make_insurance(placement))
    assert rejection.details["reason"] == "registered_name_not_known_yet"
