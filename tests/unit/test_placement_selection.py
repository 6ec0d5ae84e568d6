"""Two-way selection through the handler table: rankings, rounds, offers, declines, direct
placement.

The handlers run on an in-memory SQLite database (placement's own indexes); no broker.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from shared.contracts.placement import commands, placements
from shared.contracts.placement.errors import (
    CandidateNotEligibleError,
    InvalidRankingError,
    MatchingRoundStateError,
    OfferStateError,
    PlacementNotFoundError,
    SeatUnavailableError,
    SelectionClosedError,
)
from tests.placement_factories import (
    PlacementDesk,
    host_unit_actor,
    in_memory_engine,
    new_id,
    student_actor,
)


@pytest.fixture
def desk() -> Iterator[PlacementDesk]:
    engine = in_memory_engine()
    yield PlacementDesk(engine)
    engine.dispose()


def refused(error: type[Exception], call, *args, **kwargs):
    with pytest.raises(error) as caught:
        call(*args, **kwargs)
    return caught.value


def test_an_approved_student_ranks_open_positions_of_the_campaign(desk):
    host = desk.host_unit()
    first, second = desk.position(host), desk.position(host)
    student = desk.admit()
    desk.open_selection()
    assert desk.rank(student, second, first) == {
        "student_id": student,
        "campaign_id": desk.campaign_id,
        "position_ids": [second, first],
    }


def test_refuses_a_ranking_longer_than_the_campaigns_limit(desk):
    host = desk.host_unit()
    positions = [desk.position(host) for _ in range(3)]
    student = desk.admit()
    desk.open_selection(max_choices=2)
    rejection = refused(InvalidRankingError, desk.rank, student, *positions)
    assert rejection.details == {"max_choices": 2, "submitted": 3}


def test_refuses_a_ranking_that_repeats_a_position_or_names_a_stranger(desk):
    host = desk.host_unit()
    position = desk.position(host)
    student = desk.admit()
    desk.open_selection()
    refused(InvalidRankingError, desk.rank, student, position, position)
    other_campaign = PlacementDesk(desk.engine)
    elsewhere = other_campaign.position(host)
    rejection = refused(InvalidRankingError, desk.rank, student, position, elsewhere)
    assert rejection.details == {"unknown_position_ids": [elsewhere]}


def test_refuses_a_ranking_of_a_closed_position(desk):
    host = desk.host_unit()
    position = desk.position(host)
    closing = commands.ClosePosition(position_id=position, reason="filled by secondment")
    desk.run(closing, host_unit_actor(host))
    student = desk.admit()
    desk.open_selection()
    refused(InvalidRankingError, desk.rank, student, position)


def test_refuses_a_ranking_outside_the_selection_window(desk):
    position = desk.position(desk.host_unit())
    student = desk.admit()
    refused(SelectionClosedError, desk.rank, student, position)
    desk.open_selection()
    desk.now = desk.now.replace(month=7)
    refused(SelectionClosedError, desk.rank, student, position)


def test_only_approved_students_and_only_themselves_may_rank(desk):
    position = desk.position(desk.host_unit())
    desk.open_selection()
    refused(CandidateNotEligibleError, desk.rank, new_id(), position)
    student, other = desk.admit(), desk.admit()
    ranking = commands.SubmitRanking(
        campaign_id=desk.campaign_id, student_id=other, position_ids=(position,)
    )
    refused(CandidateNotEligibleError, desk.run, ranking, student_actor(student))


def test_a_round_is_stable_and_student_optimal_then_offers_each_pair(desk):
    host = desk.host_unit()
    library, clinic = desk.position(host), desk.position(host)
    ana, bo = desk.admit(), desk.admit()
    desk.open_selection()
    desk.rank(ana, library, clinic)
    desk.rank(bo, library, clinic)
    desk.rank_applicants(host, library, bo, ana)
    desk.rank_applicants(host, clinic, ana, bo)
    proposal = desk.propose()
    assert sorted(proposal["assignments"], key=lambda pair: pair["student_id"]) == sorted(
        [
            {"student_id": bo, "position_id": library},
            {"student_id": ana, "position_id": clinic},
        ],
        key=lambda pair: pair["student_id"],
    )
    assert proposal["stable"] is True
    assert proposal["blocking_pairs"] == []
    assert proposal["unfilled"] == {library: 0, clinic: 0}
    offers = desk.publish(proposal["round_id"])["offers"]
    assert {(o["student_id"], o["position_id"]) for o in offers} == {(bo, library), (ana, clinic)}
    assert len(desk.events("PlacementOffered")) == 2


def test_the_proposal_shows_unmatched_students_and_unfilled_seats(desk):
    host = desk.host_unit()
    position = desk.position(host, capacity=2)
    ranked, unacceptable, silent = desk.admit(), desk.admit(), desk.admit()
    desk.open_selection()
    desk.rank(ranked, position)
    desk.rank(unacceptable, position)
    desk.rank_applicants(host, position, ranked, unacceptable=(unacceptable,))
    proposal = desk.propose()
    assert proposal["assignments"] == [{"student_id": ranked, "position_id": position}]
    assert sorted(proposal["unmatched"]) == sorted([unacceptable, silent])
    assert proposal["unfilled"] == {position: 1}


def test_a_round_cannot_be_published_twice(desk):
    host = desk.host_unit()
    position = desk.position(host)
    student = desk.admit()
    desk.open_selection()
    desk.rank(student, position)
    desk.rank_applicants(host, position, student)
    round_id = desk.propose()["round_id"]
    desk.publish(round_id)
    refused(MatchingRoundStateError, desk.publish, round_id)


def test_a_stale_proposal_is_refused_rather_than_overfilling_a_seat(desk):
    host = desk.host_unit()
    position = desk.position(host)
    student, rival = desk.admit(), desk.admit()
    desk.open_selection()
    desk.rank(student, position)
    desk.rank_applicants(host, position, student)
    round_id = desk.propose()["round_id"]
    desk.place_directly(rival, position)
    rejection = refused(MatchingRoundStateError, desk.publish, round_id)
    assert rejection.details["stale"] == [
        {"student_id": student, "position_id": position, "reason": "seats_taken"}
    ]


def test_a_declined_offer_frees_the_seat_and_a_second_round_fills_it(desk):
    host = desk.host_unit()
    position = desk.position(host)
    first, second = desk.admit(), desk.admit()
    desk.open_selection()
    desk.rank(first, position)
    desk.rank(second, position)
    desk.rank_applicants(host, position, first, second)
    offer = desk.match()[first]
    decline = placements.DeclineOffer(placement_id=offer, reason="going abroad")
    desk.run(decline, student_actor(first))
    again = desk.propose()
    assert again["assignments"] == [{"student_id": second, "position_id": position}]
    assert again["unmatched"] == [first]  # never offered the seat they declined again
    desk.publish(again["round_id"])
    assert [e.payload["student_id"] for e in desk.events("PlacementOffered")] == [first, second]


def test_a_further_round_leaves_out_agreed_students_and_taken_seats(desk):
    host = desk.host_unit()
    taken, free = desk.position(host), desk.position(host)
    placed, late = desk.admit(), desk.admit()
    desk.open_selection()
    desk.rank(placed, taken, free)
    desk.rank_applicants(host, taken, placed)
    desk.agree(desk.match()[placed], placed, host)
    desk.rank(late, taken, free)
    desk.rank_applicants(host, free, late, placed)
    proposal = desk.propose()
    assert proposal["assignments"] == [{"student_id": late, "position_id": free}]
    assert proposal["unfilled"] == {free: 0}


def test_both_sides_confirming_make_an_agreement(desk):
    host = desk.host_unit()
    position = desk.position(host)
    student = desk.admit()
    desk.open_selection()
    desk.rank(student, position)
    desk.rank_applicants(host, position, student)
    placement = desk.match()[student]
    confirm = placements.ConfirmOffer(placement_id=placement)
    view = desk.run(confirm, student_actor(student))
    assert (view["status"], view["confirmed_by"]) == ("offered", ["student"])
    refused(OfferStateError, desk.run, confirm, student_actor(student))
    view = desk.run(confirm, host_unit_actor(host))
    assert (view["status"], view["direct"], view["direct_reason"]) == ("agreed", False, None)
    agreed = desk.events("PlacementAgreed")
    assert [(e.payload["direct"], e.payload["reason"]) for e in agreed] == [(False, "")]
    decline = placements.DeclineOffer(placement_id=placement, reason="no")
    refused(OfferStateError, desk.run, decline, student_actor(student))


def test_a_student_cannot_see_or_answer_someone_elses_offer(desk):
    host = desk.host_unit()
    position = desk.position(host)
    student, other = desk.admit(), desk.admit()
    desk.open_selection()
    desk.rank(student, position)
    desk.rank_applicants(host, position, student)
    confirm = placements.ConfirmOffer(placement_id=desk.match()[student])
    refused(PlacementNotFoundError, desk.run, confirm, student_actor(other))
    stranger = host_unit_actor(desk.host_unit())
    refused(PlacementNotFoundError, desk.run, confirm, stranger)


def test_a_direct_placement_is_recorded_as_such_with_its_reason(desk):
    position = desk.position(desk.host_unit())
    student = desk.admit()
    view = desk.place_directly(student, position, reason="approved after the round")
    assert (view["status"], view["direct"], view["confirmed_by"]) == ("agreed", True, [])
    assert view["direct_reason"] == "approved after the round"
    agreed = desk.events("PlacementAgreed")
    assert [(e.schema_version, e.payload["direct"]) for e in agreed] == [(2, True)]
    assert agreed[0].payload["reason"] == "approved after the round"
    assert agreed[0].actor == "operator:ops-1"


def test_refuses_a_direct_placement_into_a_full_position_or_of_a_placed_student(desk):
    host = desk.host_unit()
    full, other = desk.position(host), desk.position(host)
    placed, waiting = desk.admit(), desk.admit()
    desk.place_directly(placed, full)
    refused(SeatUnavailableError, desk.place_directly, waiting, full)
    refused(SeatUnavailableError, desk.place_directly, placed, other)


def test_refuses_a_direct_placement_of_a_student_who_is_not_approved(desk):
    position = desk.position(desk.host_unit())
    refused(CandidateNotEligibleError, desk.place_directly, new_id(), position)
