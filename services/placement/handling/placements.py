"""Placements: answering offers, direct placement, readiness gates, start and completion."""

from __future__ import annotations

from collections.abc import Callable

from services.placement import commands
from services.placement.adapters import indexes
from services.placement.domain.actors import Actor
from services.placement.domain.errors import PositionNotFoundError
from services.placement.domain.placement import Placement
from services.placement.domain.placement_record import (
    AGREED,
    COMPLETED,
    DECLINED,
    ENDED,
    OFFERED,
    STARTED,
)
from services.placement.handling import lookups
from services.placement.handling.views import Result, placement_view
from shared.eventstore.uow import UnitOfWork
from shared.logging import get_logger

log = get_logger(__name__)

Action = Callable[[Placement, Actor], None]
STATUS_EVENTS = {
    OFFERED: "placement.offered",
    AGREED: "placement.agreed",
    DECLINED: "placement.declined",
    STARTED: "placement.started",
    COMPLETED: "placement.completed",
    ENDED: "placement.ended",
}


def _act(uow: UnitOfWork, placement_id: str, action: Action) -> Result:
    """Load the placement (if the caller may see it), act, keep its index row in step."""
    with uow:
        placement = lookups.placement(uow, placement_id)
        status_before = placement.status
        action(placement, lookups.actor(uow))
        indexes.record_placement_change(uow.session, placement)
        uow.commit()
        if placement.status != status_before:
            log.info(
                STATUS_EVENTS[placement.status],
                placement_id=placement.id,
                student_id=placement.student_id,
                position_id=placement.position_id,
            )
        return placement_view(placement)


def confirm_offer(command: commands.ConfirmOffer, uow: UnitOfWork) -> Result:
    return _act(uow, command.placement_id, lambda placement, actor: placement.confirm(actor))


def decline_offer(command: commands.DeclineOffer, uow: UnitOfWork) -> Result:
    return _act(
        uow,
        command.placement_id,
        lambda placement, actor: placement.decline(actor, command.reason),
    )


def record_insurance(command: commands.RecordInsurance, uow: UnitOfWork) -> Result:
    def record(placement: Placement, actor: Actor) -> None:
        period = lookups.position(uow, placement.position_id).period
        placement.record_insurance(actor, command.policy, period)

    return _act(uow, command.placement_id, record)


def record_training(command: commands.RecordTraining, uow: UnitOfWork) -> Result:
    return _act(
        uow,
        command.placement_id,
        lambda placement, actor: placement.record_training(actor, command.training),
    )


def sign_document(command: commands.SignDocument, uow: UnitOfWork) -> Result:
    return _act(
        uow,
        command.placement_id,
        lambda placement, actor: placement.sign(actor, command.document),
    )


def start_placement(command: commands.StartPlacement, uow: UnitOfWork) -> Result:
    return _act(
        uow,
        command.placement_id,
        lambda placement, actor: placement.start(actor, command.started_on),
    )


def complete_placement(command: commands.CompletePlacement, uow: UnitOfWork) -> Result:
    return _act(
        uow,
        command.placement_id,
        lambda placement, actor: placement.complete(actor, command.completion),
    )


def evaluate_placement(command: commands.EvaluatePlacement, uow: UnitOfWork) -> Result:
    return _act(
        uow,
        command.placement_id,
        lambda placement, actor: placement.evaluate(actor, command.evaluation),
    )


def submit_feedback(command: commands.SubmitFeedback, uow: UnitOfWork) -> Result:
    return _act(
        uow,
        command.placement_id,
        lambda placement, actor: placement.submit_feedback(actor, command.feedback),
    )


def place_directly(command: commands.PlaceDirectly, uow: UnitOfWork) -> Result:
    """An operator places an eligible, unplaced student into a free seat of an open position."""
    with uow:
        lookups.require_operator(
            uow, PositionNotFoundError("no such position", {"position_id": command.position_id})
        )
        position = lookups.position(uow, command.position_id)
        position.check_open()
        candidate = lookups.candidate(uow, command.student_id)
        candidate.check_eligible(position.campaign_id)
        candidate.check_unplaced(indexes.placement_held_by(uow.session, candidate.id))
        placement = Placement.place_directly(command.placement_id, candidate.id, position)
        uow.repository(Placement).add(placement)
        indexes.take_seat(uow.session, placement, position)
        uow.commit()
        log.info(
            "placement.agreed",
            placement_id=placement.id,
            student_id=placement.student_id,
            position_id=position.id,
            direct=True,
        )
        return placement_view(placement)
