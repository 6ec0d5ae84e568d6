"""What commands answer: JSON objects, dates as ISO text, no personal data. The gateway adds
them to the command's own public fields, so each answers what its route promises."""

from __future__ import annotations

from services.placement.domain.candidate import Candidate
from services.placement.domain.host_unit import HostUnit
from services.placement.domain.matching_round import MatchingRound, Pair
from services.placement.domain.placement import Placement
from services.placement.domain.position import Position
from services.placement.domain.selection_window import SelectionWindow
from shared.contracts.records import Result
from shared.events.canonical import format_timestamp


def host_unit_view(host_unit: HostUnit) -> Result:
    return {
        "host_unit_id": host_unit.id,
        "name": host_unit.name,
        "kind": host_unit.kind,
        "township": host_unit.township,
    }


def position_view(position: Position) -> Result:
    posting = position.posting
    return {
        "position_id": position.id,
        "host_unit_id": position.host_unit_id,
        "campaign_id": position.campaign_id,
        "title": posting.title,
        "duties": posting.duties,
        "capacity": posting.capacity,
        "starts_on": posting.starts_on.isoformat(),
        "ends_on": posting.ends_on.isoformat(),
        "place": posting.place,
        "requirements": posting.requirements,
        "status": position.status,
    }


def applicants_view(position: Position) -> Result:
    return {
        "position_id": position.id,
        "student_ids": list(position.ranked_students),
        "unacceptable": sorted(position.unacceptable),
    }


def window_view(window: SelectionWindow) -> Result:
    assert window.opens_at is not None
    assert window.closes_at is not None
    return {
        "campaign_id": window.id,
        "opens_at": format_timestamp(window.opens_at),
        "closes_at": format_timestamp(window.closes_at),
        "max_choices": window.max_choices,
    }


def ranking_view(candidate: Candidate) -> Result:
    return {
        "student_id": candidate.id,
        "campaign_id": candidate.campaign_id,
        "position_ids": list(candidate.ranking),
    }


def candidate_view(candidate: Candidate) -> Result:
    return {
        "student_id": candidate.id,
        "campaign_id": candidate.campaign_id,
        "eligible": candidate.is_eligible,
    }


def _pair(pair: Pair) -> dict[str, str]:
    return {"student_id": pair.student_id, "position_id": pair.position_id}


def round_view(matching_round: MatchingRound) -> Result:
    return {
        "round_id": matching_round.id,
        "campaign_id": matching_round.campaign_id,
        "status": "published" if matching_round.published else "proposed",
        "assignments": [_pair(pair) for pair in matching_round.assignments],
        "unmatched": list(matching_round.unmatched),
        "unfilled": dict(matching_round.unfilled),
        "blocking_pairs": [_pair(pair) for pair in matching_round.blocking_pairs],
        "stable": matching_round.is_stable,
    }


def offers_view(matching_round: MatchingRound, offers: list[Placement]) -> Result:
    return {
        "round_id": matching_round.id,
        "offers": [
            {
                "placement_id": placement.id,
                "student_id": placement.student_id,
                "position_id": placement.position_id,
            }
            for placement in offers
        ],
    }


def placement_view(placement: Placement) -> Result:
    return {
        "placement_id": placement.id,
        "campaign_id": placement.campaign_id,
        "student_id": placement.student_id,
        "position_id": placement.position_id,
        "host_unit_id": placement.host_unit_id,
        "status": placement.status,
        "confirmed_by": list(placement.confirmed_by),
        "direct": placement.direct,
        "direct_reason": placement.direct_reason if placement.direct else None,
        "gates": placement.gates,
    }
