"""Placements: answering offers, direct placement, readiness gates, start and completion."""

from __future__ import annotations

from collections.abc import Callable

from services.placement.adapters import indexes
from services.placement.domain.actors import Actor
from services.placement.domain.placement import Placement
from services.placement.domain.position import Position
from services.placement.handlers import lookups
from services.placement.handlers.views import placement_view
from shared.contracts.placement import placements
from shared.contracts.placement.errors import PositionNotFoundError
from shared.contracts.records import Result
from shared.eventstore.uow import UnitOfWork

Action = Callable[[Placement, Actor], None]


def _act(uow: UnitOfWork, placement_id: str, action: Action) -> Result:
    """Load the placement (if the caller may see it) and act on it as the caller."""
    placement = lookups.placement(uow, placement_id)
    action(placement, lookups.actor(uow))
    return placement_view(placement)


def confirm_offer(command: placements.ConfirmOffer, uow: UnitOfWork) -> Result:
    return _act(uow, command.placement_id, lambda placement, actor: placement.confirm(actor))


def decline_offer(command: placements.DeclineOffer, uow: UnitOfWork) -> Result:
    return _act(
        uow,
        command.placement_id,
        lambda placement, actor: placement.decline(actor, command.reason),
    )


def record_insurance(command: placements.RecordInsurance, uow: UnitOfWork) -> Result:
    def record(placement: Placement, actor: Actor) -> None:
        period = uow.require(Position, placement.position_id).period
        placement.record_insurance(actor, command, period)

    return _act(uow, command.placement_id, record)


def record_training(command: placements.RecordTraining, uow: UnitOfWork) -> Result:
    return _act(
        uow,
        command.placement_id,
        lambda placement, actor: placement.record_training(
            actor, command.session, command.attended_on
        ),
    )


def sign_document(command: placements.SignDocument, uow: UnitOfWork) -> Result:
    return _act(uow, command.placement_id, lambda placement, actor: placement.sign(actor, command))


def start_placement(command: placements.StartPlacement, uow: UnitOfWork) -> Result:
    return _act(
        uow,
        command.placement_id,
        lambda placement, actor: placement.start(actor, command.started_on),
    )


def complete_placement(command: placements.CompletePlacement, uow: UnitOfWork) -> Result:
    return _act(
        uow,
        command.placement_id,
        lambda placement, actor: placement.complete(
            actor, command.days_served, command.hours_served
        ),
    )


def evaluate_placement(command: placements.EvaluatePlacement, uow: UnitOfWork) -> Result:
    return _act(
        uow,
        command.placement_id,
        lambda placement, actor: placement.evaluate(actor, command.score, command.comment),
    )


def submit_feedback(command: placements.SubmitFeedback, uow: UnitOfWork) -> Result:
    return _act(
        uow,
        command.placement_id,
        lambda placement, actor: placement.submit_feedback(
            actor, command.rating, command.suggestions
        ),
    )


def place_directly(command: placements.PlaceDirectly, uow: UnitOfWork) -> Result:
    """An operator places an eligible, unplaced student into a free seat of an open position
    (the seat is taken when the unit of work commits)."""
    lookups.require_operator(uow, PositionNotFoundError.for_id(command.position_id))
    position = uow.require(Position, command.position_id)
    position.check_open()
    candidate = lookups.candidate(uow, command.student_id)
    candidate.check_eligible(position.campaign_id)
    candidate.check_unplaced(indexes.placement_held_by(uow.session, candidate.id))
    placement = Placement.place_directly(command, position)
    uow.add(placement)
    return placement_view(placement)
