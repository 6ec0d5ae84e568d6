"""Two-way selection: the window, the students' rankings, matching rounds and publication."""

from __future__ import annotations

import uuid

from services.placement.adapters import indexes
from services.placement.domain.candidate import Candidate
from services.placement.domain.matching_round import (
    MatchingRound,
    find_stale_pairs,
    round_preferences,
)
from services.placement.domain.placement import Placement
from services.placement.domain.position import Position
from services.placement.domain.selection_window import SelectionWindow
from services.placement.handlers import lookups
from services.placement.handlers.views import offers_view, ranking_view, round_view, window_view
from shared.contracts.placement import commands
from shared.contracts.placement.errors import MatchingRoundNotFoundError
from shared.contracts.records import Result
from shared.eventstore.uow import UnitOfWork


def _not_found(**which: str) -> MatchingRoundNotFoundError:
    """What operator-only selection commands answer anyone else."""
    return MatchingRoundNotFoundError("no such matching round", which)


def open_selection(command: commands.OpenSelection, uow: UnitOfWork) -> Result:
    lookups.require_operator(uow, _not_found(campaign_id=command.campaign_id))
    window = uow.get_or_start(SelectionWindow, command.campaign_id)
    window.open(command)
    return window_view(window)


def submit_ranking(command: commands.SubmitRanking, uow: UnitOfWork) -> Result:
    candidate = uow.get_or_start(Candidate, command.student_id)
    window = uow.get_or_start(SelectionWindow, command.campaign_id)
    positions = {
        position_id: uow.get(Position, position_id) for position_id in set(command.position_ids)
    }
    candidate.submit_ranking(
        lookups.actor(uow), window, uow.clock(), command.position_ids, positions
    )
    return ranking_view(candidate)


def propose_matching(command: commands.ProposeMatching, uow: UnitOfWork) -> Result:
    """Match every eligible, unplaced candidate to the open seats, with a stability report."""
    lookups.require_operator(uow, _not_found(campaign_id=command.campaign_id))
    window = uow.get_or_start(SelectionWindow, command.campaign_id)
    window.check_opened()
    session, campaign_id = uow.session, command.campaign_id
    candidates = [
        candidate
        for student_id in indexes.candidates_of(session, campaign_id)
        if (candidate := uow.get(Candidate, student_id)) is not None
    ]
    positions = [
        position
        for position_id in indexes.positions_of(session, campaign_id)
        if (position := uow.get(Position, position_id)) is not None
    ]
    preferences = round_preferences(
        candidates, positions, indexes.occupancy(session, campaign_id), window.max_choices
    )
    matching_round = MatchingRound.propose(command.round_id, campaign_id, preferences)
    uow.add(matching_round)
    return round_view(matching_round)


def publish_matching(command: commands.PublishMatching, uow: UnitOfWork) -> Result:
    """Offer every proposed pair (PlacementOffered each), if they all still fit; each offer
    takes its seat when the unit of work commits."""
    lookups.require_operator(uow, _not_found(round_id=command.round_id))
    matching_round = uow.require(MatchingRound, command.round_id)
    pairs = matching_round.assignments
    candidates = {pair.student_id: uow.get(Candidate, pair.student_id) for pair in pairs}
    positions = {pair.position_id: uow.get(Position, pair.position_id) for pair in pairs}
    occupancy = indexes.occupancy(uow.session, matching_round.campaign_id)
    stale = find_stale_pairs(pairs, candidates, positions, occupancy)
    offers = []
    for pair in matching_round.publish(stale):
        position = positions[pair.position_id]
        assert position is not None  # find_stale_pairs found none missing
        # Derived from the round, so that the same round always offers the same ids.
        placement_id = str(uuid.uuid5(uuid.UUID(matching_round.id), pair.student_id))
        placement = Placement.offer(placement_id, matching_round.id, pair.student_id, position)
        uow.add(placement)
        offers.append(placement)
    return offers_view(matching_round, offers)
