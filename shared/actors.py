"""Who is asking: the caller's role and subject, and the object-level rights that follow.

An operator may act on anything. A host unit may act only on its own records and a student
only on their own; anything else is answered as "not found", so that a caller never learns
whether someone else's record exists.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

OPERATOR, HOST_UNIT, STUDENT = "operator", "host_unit", "student"


@dataclass(frozen=True)
class Actor:
    """``"<role>:<subject>"`` as the gateway sends it; the subject of a host unit or a
    student is its id."""

    role: str
    subject: str

    @classmethod
    def parse(cls, text: str) -> Actor:
        role, _, subject = text.partition(":")
        return cls(role, _canonical(subject))

    @property
    def is_operator(self) -> bool:
        return self.role == OPERATOR

    def is_host_unit(self, host_unit_id: str) -> bool:
        return self.role == HOST_UNIT and self.subject == host_unit_id

    def is_student(self, student_id: str) -> bool:
        return self.role == STUDENT and self.subject == student_id

    def may_act_for(
        self, roles: tuple[str, ...], *, host_unit_id: str = "", student_id: str = ""
    ) -> bool:
        """True if one of ``roles`` lets this caller act on a record of these owners."""
        return (
            (OPERATOR in roles and self.is_operator)
            or (HOST_UNIT in roles and bool(host_unit_id) and self.is_host_unit(host_unit_id))
            or (STUDENT in roles and bool(student_id) and self.is_student(student_id))
        )


def _canonical(subject: str) -> str:
    """Ids compare in their canonical UUID form; operators and event consumers may be named
    otherwise and are kept as they are."""
    try:
        return str(uuid.UUID(subject))
    except ValueError:
        return subject
