"""What a placement handler needs beyond ``uow.require``: who is asking, and what they may
see."""

from __future__ import annotations

from services.placement.domain.placement import Placement
from shared.actors import Actor
from shared.domain import NotFoundError
from shared.eventstore.uow import UnitOfWork


def actor(uow: UnitOfWork) -> Actor:
    return Actor.parse(uow.context.actor)


def require_operator(uow: UnitOfWork, error: NotFoundError) -> None:
    """Operator-only commands answer anyone else as if the object did not exist."""
    if not actor(uow).is_operator:
        raise error


def placement(uow: UnitOfWork, placement_id: str) -> Placement:
    """The placement, if the caller is an operator or one of its parties."""
    found = uow.require(Placement, placement_id)
    found.check_visible_to(actor(uow))
    return found
