"""What a volunteering handler needs beyond ``uow.require``: who is asking, and a volunteer's
stream held for the command.

Locks are always taken in one order, activities (by id) before volunteers (by id), so that
two commands never wait for each other in a circle.
"""

from __future__ import annotations

from collections.abc import Iterable

from services.volunteering.domain.volunteer import Volunteer
from shared.actors import Actor
from shared.eventstore.uow import UnitOfWork


def actor(uow: UnitOfWork) -> Actor:
    return Actor.parse(uow.context.actor)


def hold_volunteer(uow: UnitOfWork, student_id: str) -> Volunteer:
    """The volunteer (an empty one if recruitment never spoke of the student), its stream
    held exclusively until the commit: what a command decides about the student's sign-ups
    and hours, no other command decides at the same time."""
    found = uow.repository(Volunteer).get(student_id, lock="exclusive")
    if found is None:
        found = Volunteer(student_id)
        uow.add(found)
    return found


def hold_volunteers(uow: UnitOfWork, student_ids: Iterable[str]) -> None:
    for student_id in sorted(student_ids):
        hold_volunteer(uow, student_id)
