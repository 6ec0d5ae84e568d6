"""Two-way selection: the window, the students' rankings, matching rounds and publication."""

from __future__ import annotations

import uuid

from services.placement import commands
from services.placement.adapters import indexes
from services.placement.domain.candidate import Candidate
from services.placement.domain.errors import MatchingRoundNotFoundError
from services.placement.domain.matching_round import (
    MatchingRound,
    find_stale_pairs,
    round_preferences,
)
from services.placement.domain.placement import Placement
from services.placement.domain.position import Position
from services.placement.handling import lookups
from services.placement.handling.views import (
    Result,
    offers_view,
    ranking_view,
    round_view,
    window_view,
)
from shared.eventstore.uow import UnitOfWork
from shared.logging import get_logger

log = get_logger(__name__)


def _not_found(**which: str) -> MatchingRoundNotFoundError:
    """What operator-only selection commands answer anyone else."""
    return MatchingRoundNotFoundError("no such matching round", which)


def open_selection(command: commands.OpenSelection, uow: UnitOfWork) -> Result:
    with uow:
        lookups.require_operator(uow, _not_found(campaign_id=command.campaign_id))
        window = lookups.selection_window(uow, command.campaign_id)
        window.open(command.opens_at, command.closes_at, command.max_choices)
        uow.commit()
        log.info("selection.opened", campaign_id=window.id, max_choices=window.max_choices)
        return window_view(window)


def submit_ranking(command: commands.SubmitRanking, uow: UnitOfWork) -> Result:
    with uow:
        candidate = lookups.candidate(uow, command.student_id)
        window = lookups.selection_window(uow, command.campaign_id)
        positions = {
            position_id: uow.repository(Position).get(position_id)
            for position_id in set(command.position_ids)
        }
        candidate.submit_ranking(
            lookups.actor(uow), window, uow.clock(), command.position_ids, positions
        )
        uow.commit()
        log.info("ranking.submitted", student_id=candidate.id, choices=len(candidate.ranking))
        return ranking_view(candidate)


def propose_matching(command: commands.ProposeMatching, uow: UnitOfWork) -> Result:
    """Match every eligible, unplaced candidate to the open seats, with a stability report."""
    with uow:
        lookups.require_operator(uow, _not_found(campaign_id=command.campaign_id))
        window = lookups.selection_window(uow, command.campaign_id)
        window.check_opened()
        session, campaign_id = uow.session, command.campaign_id
        candidates = [
            candidate
            for student_id in indexes.candidates_of(session, campaign_id)
            if (candidate := uow.repository(Candidate).get(student_id)) is not None
        ]
        positions = [
            position
            for position_id in indexes.positions_of(session, campaign_id)
            if (position := uow.repository(Position).get(position_id)) is not None
        ]
        preferences = round_preferences(
            candidates, positions, indexes.occupancy(session, campaign_id), window.max_choices
        )
        matching_round = MatchingRound.propose(command.round_id, campaign_id, preferences)
        uow.repository(MatchingRound).add(matching_round)
        uow.commit()
        log.info(
            "matching.proposed",
            round_id=matching_round.id,
            assigned=len(matching_round.assignments),
            unmatched=len(matching_round.unmatched),
            stable=matching_round.is_stable,
        )
        return round_view(matching_round)


def publish_matching(command: commands.PublishMatching, uow: UnitOfWork) -> Result:
    """Offer every proposed pair (PlacementOffered each), if they all still fit."""
    with uow:
        lookups.require_operator(uow, _not_found(round_id=command.round_id))
        matching_round = lookups.matching_round(uow, command.round_id)
        pairs = matching_round.assignments
        candidates = {
            pair.student_id: uow.repository(Candidate).get(pair.student_id) for pair in pairs
        }
        positions = {
            pair.position_id: uow.repository(Position).get(pair.position_id) for pair in pairs
        }
        session = uow.session
        occupancy = indexes.occupancy(session, matching_round.campaign_id)
        stale = find_stale_pairs(pairs, candidates, positions, occupancy)
        offers = []
        for pair in matching_round.publish(stale):
            position = positions[pair.position_id]
            assert position is not None  # find_stale_pairs found none missing
            # Derived from the round, so that the same round always offers the same ids.
            placement_id = str(uuid.uuid5(uuid.UUID(matching_round.id), pair.student_id))
            placement = Placement.offer(placement_id, matching_round.id, pair.student_id, position)
            uow.repository(Placement).add(placement)
            indexes.take_seat(session, placement, position)
            offers.append(placement)
        uow.commit()
        log.info("matching.published", round_id=matching_round.id, offers=len(offers))
        return offers_view(matching_round, offers)
