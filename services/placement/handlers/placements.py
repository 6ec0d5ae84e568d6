"""Placements: answering offers, direct placement, readiness gates, start and completion."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, TypeVar

from services.placement.adapters import indexes, registered_names
from services.placement.domain.candidate import Candidate
from services.placement.domain.document import PublishedDocument
from services.placement.domain.placement import Placement
from services.placement.domain.position import Position
from services.placement.handlers import lookups
from services.placement.handlers.views import placement_view
from shared.actors import Actor
from shared.contracts.placement import documents, placements
from shared.contracts.placement.documents import document_version_id
from shared.contracts.placement.errors import DocumentVersionError, PositionNotFoundError
from shared.contracts.records import Result
from shared.eventstore.uow import UnitOfWork
from shared.kit.handlers import state_view


class PlacementStep(Protocol):
    """A command on one placement."""

    @property
    def placement_id(self) -> str: ...


C = TypeVar("C", bound=PlacementStep)
Step = Callable[[Placement, Actor, C], None]


def on_placement(step: Step[C]) -> Callable[[C, UnitOfWork], Result]:
    """The handler of a step on one placement: load it (if the caller may see it at all),
    let it take ``step`` as the caller, answer with the placement."""

    def handle(command: C, uow: UnitOfWork) -> Result:
        placement = lookups.placement(uow, command.placement_id)
        step(placement, lookups.actor(uow), command)
        return placement_view(placement)

    return handle


def confirm_offer(command: placements.ConfirmOffer, uow: UnitOfWork) -> Result:
    placement = lookups.placement(uow, command.placement_id)
    placement.confirm(lookups.actor(uow))
    return placement_view(placement)


def start_placement(command: placements.StartPlacement, uow: UnitOfWork) -> Result:
    """The start must fall within the position's period, so the position is read too."""
    placement = lookups.placement(uow, command.placement_id)
    period = uow.require(Position, placement.position_id).period
    placement.start(lookups.actor(uow), command, period, uow.clock().date())
    return placement_view(placement)


def complete_placement(command: placements.CompletePlacement, uow: UnitOfWork) -> Result:
    """The days served must fit the period as far as it has passed."""
    placement = lookups.placement(uow, command.placement_id)
    period = uow.require(Position, placement.position_id).period
    placement.complete(lookups.actor(uow), command, period, uow.clock().date())
    return placement_view(placement)


def publish_document(command: documents.PublishDocument, uow: UnitOfWork) -> Result:
    version_id = document_version_id(command.document_kind, command.version)
    if uow.get(PublishedDocument, version_id) is not None:
        raise DocumentVersionError(
            "this version was published already",
            {"document_kind": command.document_kind, "version": command.version},
        )
    published = PublishedDocument.publish(lookups.actor(uow), command)
    uow.add(published)
    return state_view(
        published, "document_id", "document_kind", "content_hash", version=published.edition
    )


def sign_document(command: placements.SignDocument, uow: UnitOfWork) -> Result:
    """A signature names a published version of the document, by its content hash."""
    placement = lookups.placement(uow, command.placement_id)
    version_id = document_version_id(command.document_kind, command.version)
    placement.sign(lookups.actor(uow), command, uow.get(PublishedDocument, version_id))
    return placement_view(placement)


def record_insurance(command: placements.RecordInsurance, uow: UnitOfWork) -> Result:
    """The policy must cover the position's whole period and name the placed student as
    registered, so the position and the registered name are read too."""
    placement = lookups.placement(uow, command.placement_id)
    period = uow.require(Position, placement.position_id).period
    registered = registered_names.name_of(uow.session, uow.keys, placement.student_id)
    placement.record_insurance(lookups.actor(uow), command, period, registered)
    return placement_view(placement)


def place_directly(command: placements.PlaceDirectly, uow: UnitOfWork) -> Result:
    """An operator places an eligible, unplaced student into a free seat of an open position
    (the seat is taken when the unit of work commits)."""
    lookups.require_operator(uow, PositionNotFoundError.for_id(command.position_id))
    position = uow.require(Position, command.position_id)
    position.check_open()
    candidate = uow.get_or_start(Candidate, command.student_id)
    candidate.check_eligible(position.campaign_id)
    candidate.check_unplaced(indexes.placement_held_by(uow.session, candidate.id))
    placement = Placement.place_directly(command, position)
    uow.add(placement)
    return placement_view(placement)
