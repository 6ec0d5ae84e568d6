"""Host units, positions, readiness gates, completion and recruitment's news, through the
handlers on an in-memory SQLite database."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
import sqlalchemy as sa

from services.placement import commands
from services.placement.domain.errors import (
    CandidateNotEligibleError,
    HostUnitNotFoundError,
    InsuranceCoverageError,
    InvalidAssessmentError,
    InvalidPositionError,
    InvalidRankingError,
    OfferStateError,
    PlacementNotFoundError,
    PlacementNotReadyError,
    PositionNotFoundError,
    PositionStateError,
)
from shared.eventstore.tables import inbox
from shared.rpc import CommandRejected
from tests.placement_factories import (
    PlacementDesk,
    host_unit_actor,
    in_memory_engine,
    make_completion,
    make_document,
    make_evaluation,
    make_feedback,
    make_host_unit_profile,
    make_insurance,
    make_position_plan,
    make_training,
    new_id,
    student_actor,
)

STARTED_ON = date(2023, 7, 10)


@pytest.fixture
def desk() -> Iterator[PlacementDesk]:
    engine = in_memory_engine()
    yield PlacementDesk(engine)
    engine.dispose()


def refused(error: type[Exception], call, *args, **kwargs) -> CommandRejected:
    with pytest.raises(CommandRejected) as caught:
        call(*args, **kwargs)
    assert caught.value.error_type == error.__name__, caught.value.message
    return caught.value


def agreed_placement(desk: PlacementDesk, **plan) -> tuple[str, str, str]:
    """(placement id, student id, host unit id) of a directly placed student."""
    host = desk.host_unit()
    student = desk.admit()
    placement = desk.place_directly(student, desk.position(host, **plan))["placement_id"]
    return placement, student, host


def test_a_host_unit_registers_itself_and_its_view_holds_no_personal_data(desk):
    host_unit_id = new_id()
    command = commands.RegisterHostUnit(host_unit_id, make_host_unit_profile())
    view = desk.run(command, host_unit_actor(host_unit_id))
    assert view == {
        "host_unit_id": host_unit_id,
        "name": "District Civil Affairs Bureau",
        "kind": "district government bureau",
        "township": "Chengguan Town",
    }


def test_a_host_unit_cannot_register_or_post_for_another_unit(desk):
    other = desk.host_unit()
    me = host_unit_actor(new_id())
    command = commands.RegisterHostUnit(new_id(), make_host_unit_profile())
    refused(HostUnitNotFoundError, desk.run, command, me)
    post = commands.PostPosition(new_id(), other, desk.campaign_id, make_position_plan())
    refused(HostUnitNotFoundError, desk.run, post, me)


def test_a_host_unit_cannot_touch_another_units_position(desk):
    owner, intruder = desk.host_unit(), desk.host_unit()
    position = desk.position(owner)
    for command in (
        commands.ClosePosition(position, "mine now"),
        commands.WithdrawPosition(position, "mine now"),
        commands.RankApplicants(position, (), ()),
    ):
        refused(PositionNotFoundError, desk.run, command, host_unit_actor(intruder))
    assert desk.events("PositionClosed") == []


def test_refuses_a_position_that_ends_before_it_starts_or_has_no_seat(desk):
    host = desk.host_unit()
    refused(InvalidPositionError, desk.position, host, ends_on=date(2023, 7, 1))
    refused(InvalidPositionError, desk.position, host, capacity=0)


def test_a_position_closes_once(desk):
    host = desk.host_unit()
    position = desk.position(host)
    view = desk.run(commands.ClosePosition(position, "filled"), host_unit_actor(host))
    assert (view["position_id"], view["status"]) == (position, "closed")
    refused(PositionStateError, desk.run, commands.ClosePosition(position, "again"))


def test_withdrawing_a_position_ends_its_agreed_placements(desk):
    placement, student, host = agreed_placement(desk)
    position = desk.events("PositionPosted")[0].payload["position_id"]
    view = desk.run(commands.WithdrawPosition(position, "budget cut"), host_unit_actor(host))
    assert view["status"] == "withdrawn"
    assert [e.payload["placement_id"] for e in desk.events("PlacementEnded")] == [placement]
    assert desk.place_directly(student, desk.position(host))["status"] == "agreed"


def test_a_position_with_a_started_placement_cannot_be_withdrawn(desk):
    placement, student, host = agreed_placement(desk)
    desk.make_ready(placement, student, host)
    desk.run(commands.StartPlacement(placement, STARTED_ON), host_unit_actor(host))
    position = desk.events("PositionPosted")[0].payload["position_id"]
    refused(PositionStateError, desk.run, commands.WithdrawPosition(position, "budget cut"))


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
    start = commands.StartPlacement(placement, STARTED_ON)
    rejection = refused(PlacementNotReadyError, desk.run, start)
    assert rejection.details == {
        "missing": ["insurance", "training", "practice_notice", "confidentiality_commitment"]
    }
    desk.run(commands.RecordTraining(placement, make_training()), host_unit_actor(host))
    notice = make_document("practice_notice")
    desk.run(commands.SignDocument(placement, notice), student_actor(student))
    rejection = refused(PlacementNotReadyError, desk.run, start)
    assert rejection.details == {"missing": ["insurance", "confidentiality_commitment"]}
    assert desk.events("PlacementStarted") == []


def test_insurance_must_cover_the_whole_placement_period(desk):
    placement, _student, host = agreed_placement(desk)
    short = make_insurance(covers_until=date(2023, 8, 9))
    rejection = refused(
        InsuranceCoverageError,
        desk.run,
        commands.RecordInsurance(placement, short),
        host_unit_actor(host),
    )
    assert rejection.details["ends_on"] == "2023-08-10"
    late = make_insurance(covers_from=date(2023, 7, 11))
    refused(InsuranceCoverageError, desk.run, commands.RecordInsurance(placement, late))
    exact = make_insurance(covers_from=date(2023, 7, 10), covers_until=date(2023, 8, 10))
    view = desk.run(commands.RecordInsurance(placement, exact))
    assert view["gates"]["insurance"] is True


def test_gates_need_an_agreement_first(desk):
    host = desk.host_unit()
    position = desk.position(host)
    student = desk.admit()
    desk.open_selection()
    desk.rank(student, position)
    desk.rank_applicants(host, position, student)
    offered = desk.match()[student]
    refused(OfferStateError, desk.run, commands.RecordTraining(offered, make_training()))


def test_a_ready_placement_starts_completes_and_is_assessed_by_both_sides(desk):
    placement, student, host = agreed_placement(desk)
    as_host, as_student = host_unit_actor(host), student_actor(student)
    desk.make_ready(placement, student, host)
    view = desk.run(commands.StartPlacement(placement, STARTED_ON), as_host)
    assert view["status"] == "started"
    assert all(view["gates"].values())
    desk.run(commands.CompletePlacement(placement, make_completion()), as_host)
    desk.run(commands.EvaluatePlacement(placement, make_evaluation()), as_host)
    view = desk.run(commands.SubmitFeedback(placement, make_feedback()), as_student)
    assert view["status"] == "completed"
    assert [e.event_type for e in desk.events()][-4:] == [
        "PlacementStarted",
        "PlacementCompleted",
        "PlacementEvaluated",
        "FeedbackSubmitted",
    ]
    refused(OfferStateError, desk.run, commands.EvaluatePlacement(placement, make_evaluation()))


def test_refuses_assessments_out_of_range(desk):
    placement, student, host = agreed_placement(desk)
    desk.make_ready(placement, student, host)
    desk.run(commands.StartPlacement(placement, STARTED_ON))
    nothing = make_completion(days_served=0, hours_served=0)
    refused(InvalidAssessmentError, desk.run, commands.CompletePlacement(placement, nothing))
    desk.run(commands.CompletePlacement(placement, make_completion(days_served=0)))
    too_high = make_evaluation(score=101)
    refused(InvalidAssessmentError, desk.run, commands.EvaluatePlacement(placement, too_high))
    zero_stars = make_feedback(rating=0)
    refused(InvalidAssessmentError, desk.run, commands.SubmitFeedback(placement, zero_stars))


def test_only_the_student_signs_and_gives_feedback_and_only_the_host_evaluates(desk):
    placement, student, host = agreed_placement(desk)
    sign = commands.SignDocument(placement, make_document("practice_notice"))
    refused(PlacementNotFoundError, desk.run, sign, host_unit_actor(host))
    feedback = commands.SubmitFeedback(placement, make_feedback())
    refused(PlacementNotFoundError, desk.run, feedback, host_unit_actor(host))
    insure = commands.RecordInsurance(placement, make_insurance())
    refused(PlacementNotFoundError, desk.run, insure, student_actor(student))
    evaluate = commands.EvaluatePlacement(placement, make_evaluation())
    refused(PlacementNotFoundError, desk.run, evaluate, student_actor(student))


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
    admit = commands.AdmitCandidate(new_id(), desk.campaign_id, new_id())
    for _ in range(3):
        assert desk.run(admit, "event:test")["eligible"] is True
    assert [e.event_type for e in desk.events()] == ["CandidateAdmitted"]
    with desk.engine.connect() as connection:
        consumed = connection.execute(sa.select(inbox.c.consumer, inbox.c.event_id)).all()
    assert consumed == [("placement.on_student_screened", admit.event_id)]
