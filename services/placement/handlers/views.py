"""What commands answer: JSON objects, dates as ISO text, no personal data. The gateway adds
them to the command's own public fields, so each answers what its route promises."""

from __future__ import annotations

from services.placement.domain.candidate import Candidate
from services.placement.domain.host_unit import HostUnit
from services.placement.domain.matching_round import MatchingRound
from services.placement.domain.placement import Placement
from services.placement.domain.position import Position
from services.placement.domain.selection_window import SelectionWindow
from services.placement.domain.stability import Pair
from shared.contracts.records import Result
from shared.kit.handlers import state_view


def host_unit_view(host_unit: HostUnit) -> Result:
    return state_view(host_unit, "host_unit_id", "name", "kind", "township")


def position_view(position: Position) -> Result:
    """What the host unit posted, and the position's status now."""
    return state_view(position, "position_id", "status", **position.posting.values())


def applicants_view(position: Position) -> Result:
    unacceptable = sorted(position.unacceptable)
    return state_view(
        position, "position_id", student_ids=position.ranked_students, unacceptable=unacceptable
    )


def window_view(window: SelectionWindow) -> Result:
    return state_view(window, "campaign_id", "opens_at", "closes_at", "max_choices")


def ranking_view(candidate: Candidate) -> Result:
    return state_view(candidate, "student_id", "campaign_id", position_ids=candidate.ranking)


def candidate_view(candidate: Candidate) -> Result:
    return state_view(candidate, "student_id", "campaign_id", eligible=candidate.is_eligible)


def _pairs(pairs: tuple[Pair, ...]) -> list[dict[str, str]]:
    return [{"student_id": pair.student_id, "position_id": pair.position_id} for pair in pairs]


def round_view(matching_round: MatchingRound) -> Result:
    return state_view(
        matching_round,
        "round_id",
        "campaign_id",
        "unmatched",
        "unfilled",
        status="published" if matching_round.published else "proposed",
        assignments=_pairs(matching_round.assignments),
        blocking_pairs=_pairs(matching_round.blocking_pairs),
        stable=matching_round.is_stable,
    )


def offers_view(matching_round: MatchingRound, offers: list[Placement]) -> Result:
    answered = [state_view(offer, "placement_id", "student_id", "position_id") for offer in offers]
    return state_view(matching_round, "round_id", offers=answered)


def placement_view(placement: Placement) -> Result:
    return state_view(
        placement,
        "placement_id",
        "campaign_id",
        "student_id",
        "position_id",
        "host_unit_id",
        "status",
        "confirmed_by",
        "direct",
        "gates",
        direct_reason=placement.direct_reason if placement.direct else None,
    )
