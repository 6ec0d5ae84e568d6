"""The names students registered with, as recruitment told placement (personal data)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.placement.adapters.tables import registered_names


def note_name(session: Session, student_id: str, name: str) -> None:
    """Keep (or replace) a student's registered name."""
    session.execute(registered_names.delete().where(registered_names.c.student_id == student_id))
    session.execute(registered_names.insert().values(student_id=student_id, name=name))


def name_of(session: Session, student_id: str) -> str | None:
    return session.scalar(
        sa.select(registered_names.c.name).where(registered_names.c.student_id == student_id)
    )


def erase_registered_name(session: Session, student_id: str) -> None:
    """The student was erased (``SubjectErased``): their name is not kept here any more."""
    session.execute(registered_names.delete().where(registered_names.c.student_id == student_id))
