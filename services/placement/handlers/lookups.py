"""What a placement handler needs beyond ``uow.require``: who is asking, and the records that
exist before their first event (a candidate placement has not heard of, a window not opened)."""

from __future__ import annotations

from services.placement.domain.actors import Actor
from services.placement.domain.candidate import Candidate
from services.placement.domain.placement import Placement
from services.placement.domain.selection_window import SelectionWindow
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


def candidate(uow: UnitOfWork, student_id: str) -> Candidate:
    """The candidate as known so far; one placement has not heard of yet starts empty."""
    found = uow.get(Candidate, student_id)
    if found is None:
        found = Candidate(student_id)
        uow.add(found)
    return found


def selection_window(uow: UnitOfWork, campaign_id: str) -> SelectionWindow:
    found = uow.get(SelectionWindow, campaign_id)
    if found is None:
        found = SelectionWindow(campaign_id)
        uow.add(found)
    return found
