"""Reading and writing placement's indexes inside a unit of work's session."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.placement.adapters.tables import candidate_index, placement_index, position_index
from services.placement.domain.matching_round import Occupancy, Pair
from services.placement.domain.placement import Placement
from services.placement.domain.placement_record import DECLINED
from services.placement.domain.position import Position
from shared.eventstore.store import ConcurrencyConflictError


def record_position(session: Session, position: Position) -> None:
    _insert(
        session,
        position_index.insert().values(
            position_id=position.id,
            campaign_id=position.campaign_id,
            host_unit_id=position.host_unit_id,
        ),
        f"position-{position.id}",
    )


def positions_of(session: Session, campaign_id: str) -> list[str]:
    return list(
        session.scalars(
            sa.select(position_index.c.position_id).where(
                position_index.c.campaign_id == campaign_id
            )
        )
    )


def record_candidate(session: Session, student_id: str, campaign_id: str) -> None:
    known = session.scalar(
        sa.select(candidate_index.c.student_id).where(candidate_index.c.student_id == student_id)
    )
    if known is None:
        _insert(
            session,
            candidate_index.insert().values(student_id=student_id, campaign_id=campaign_id),
            f"candidate-{student_id}",
        )


def candidates_of(session: Session, campaign_id: str) -> list[str]:
    return list(
        session.scalars(
            sa.select(candidate_index.c.student_id).where(
                candidate_index.c.campaign_id == campaign_id
            )
        )
    )


def take_seat(session: Session, placement: Placement, position: Position) -> None:
    """Give ``placement`` the lowest free seat of ``position``; the position refuses when
    every seat is held. Losing a race for a seat or for the student is a conflict, so the
    command is run again on fresh state."""
    taken = set(
        session.scalars(
            sa.select(placement_index.c.seat_number).where(
                placement_index.c.position_id == position.id,
                placement_index.c.seat_number.is_not(None),
            )
        )
    )
    _insert(
        session,
        placement_index.insert().values(
            placement_id=placement.id,
            campaign_id=placement.campaign_id,
            position_id=position.id,
            student_id=placement.student_id,
            status=placement.status,
            seat_number=position.first_free_seat(taken),
            holder=placement.student_id,
        ),
        f"position-{position.id}",
    )


def record_placement_change(session: Session, placement: Placement) -> None:
    """Keep the placement's status; free its seat once it no longer holds one."""
    values: dict[str, object] = {"status": placement.status}
    if not placement.holds_seat:
        values.update(seat_number=None, holder=None)
    session.execute(
        placement_index.update()
        .where(placement_index.c.placement_id == placement.id)
        .values(**values)
    )


def placement_held_by(session: Session, student_id: str) -> str | None:
    """The placement (offered, agreed, started or completed) the student holds, if any."""
    return session.scalar(
        sa.select(placement_index.c.placement_id).where(placement_index.c.holder == student_id)
    )


def placements_holding_seats_in(session: Session, position_id: str) -> list[str]:
    return list(
        session.scalars(
            sa.select(placement_index.c.placement_id).where(
                placement_index.c.position_id == position_id,
                placement_index.c.holder.is_not(None),
            )
        )
    )


def occupancy(session: Session, campaign_id: str) -> Occupancy:
    """Seats held per position, students holding one, and declined pairs of a campaign."""
    return Occupancy(
        seats_taken=_seats_taken(session, campaign_id),
        placed_students=_placed_students(session, campaign_id),
        declined=_declined_pairs(session, campaign_id),
    )


def _seats_taken(session: Session, campaign_id: str) -> dict[str, int]:
    rows = session.execute(
        sa.select(placement_index.c.position_id, sa.func.count())
        .where(
            placement_index.c.campaign_id == campaign_id,
            placement_index.c.holder.is_not(None),
        )
        .group_by(placement_index.c.position_id)
    )
    return {position_id: int(count) for position_id, count in rows}


def _placed_students(session: Session, campaign_id: str) -> set[str]:
    return set(
        session.scalars(
            sa.select(placement_index.c.student_id).where(
                placement_index.c.campaign_id == campaign_id,
                placement_index.c.holder.is_not(None),
            )
        )
    )


def _declined_pairs(session: Session, campaign_id: str) -> set[Pair]:
    """Student-position pairs whose offer was declined by either side: never offered again."""
    rows = session.execute(
        sa.select(placement_index.c.student_id, placement_index.c.position_id).where(
            placement_index.c.campaign_id == campaign_id,
            placement_index.c.status == DECLINED,
        )
    )
    return {Pair(student_id, position_id) for student_id, position_id in rows}


def _insert(session: Session, statement: sa.Insert, contended: str) -> None:
    try:
        session.execute(statement)
    except IntegrityError:
        raise ConcurrencyConflictError(contended, 0) from None
