"""Who may act in honours: operators run the programme; a student acts only for themself.
Anyone else is answered as if the record did not exist."""

from __future__ import annotations

from shared.actors import OPERATOR, STUDENT, Actor
from shared.contracts.honors.errors import HonoreeNotFoundError
from shared.domain import NotFoundError


def check_operator(actor: Actor, missing: NotFoundError) -> None:
    """Only an operator; to anyone else ``missing`` (the record they named) is not there."""
    if not actor.is_operator:
        raise missing


def check_acts_for_student(actor: Actor, student_id: str) -> None:
    """An operator, or the student themself."""
    if not actor.may_act_for((OPERATOR, STUDENT), student_id=student_id):
        raise HonoreeNotFoundError.for_id(student_id)
