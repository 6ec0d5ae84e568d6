"""Loading what a command names, or refusing with the matching not-found error."""

from __future__ import annotations

from typing import TypeVar

from services.placement.domain.actors import Actor
from services.placement.domain.candidate import Candidate
from services.placement.domain.errors import (
    HostUnitNotFoundError,
    MatchingRoundNotFoundError,
    PlacementNotFoundError,
    PositionNotFoundError,
)
from services.placement.domain.host_unit import HostUnit
from services.placement.domain.matching_round import MatchingRound
from services.placement.domain.placement import Placement
from services.placement.domain.position import Position
from services.placement.domain.selection_window import SelectionWindow
from shared.domain import Aggregate, NotFoundError
from shared.eventstore.uow import UnitOfWork

A = TypeVar("A", bound=Aggregate)


def actor(uow: UnitOfWork) -> Actor:
    return Actor.parse(uow.context.actor)


def _load(
    uow: UnitOfWork, kind: type[A], aggregate_id: str, error: type[NotFoundError], key: str
) -> A:
    found = uow.repository(kind).get(aggregate_id)
    if found is None:
        raise error(f"no such {kind.stream_prefix.replace('-', ' ')}", {key: aggregate_id})
    return found


def host_unit(uow: UnitOfWork, host_unit_id: str) -> HostUnit:
    return _load(uow, HostUnit, host_unit_id, HostUnitNotFoundError, "host_unit_id")


def position(uow: UnitOfWork, position_id: str) -> Position:
    return _load(uow, Position, position_id, PositionNotFoundError, "position_id")


def placement(uow: UnitOfWork, placement_id: str) -> Placement:
    """The placement, if the caller is an operator or one of its parties."""
    found = _load(uow, Placement, placement_id, PlacementNotFoundError, "placement_id")
    found.check_visible_to(actor(uow))
    return found


def matching_round(uow: UnitOfWork, round_id: str) -> MatchingRound:
    return _load(uow, MatchingRound, round_id, MatchingRoundNotFoundError, "round_id")


def candidate(uow: UnitOfWork, student_id: str) -> Candidate:
    """The candidate as known so far; one placement has not heard of yet starts empty."""
    found = uow.repository(Candidate).get(student_id)
    if found is None:
        found = Candidate(student_id)
        uow.repository(Candidate).add(found)
    return found


def selection_window(uow: UnitOfWork, campaign_id: str) -> SelectionWindow:
    found = uow.repository(SelectionWindow).get(campaign_id)
    if found is None:
        found = SelectionWindow(campaign_id)
        uow.repository(SelectionWindow).add(found)
    return found


def require_operator(uow: UnitOfWork, error: NotFoundError) -> None:
    """Operator-only commands answer anyone else as if the object did not exist."""
    if not actor(uow).is_operator:
        raise error
