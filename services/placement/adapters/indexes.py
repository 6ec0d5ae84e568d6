"""Placement's indexes: kept by the unit of work from each command's new events (``KEEPERS``),
read by the handlers for what the streams alone cannot answer.

They list a campaign's positions and candidates, and say which placement holds which seat.
A new placement takes the lowest free seat of its position when its events are committed;
the unique keys refuse two placements racing for one seat or one student, and a lost race
is a concurrency conflict, so the command is decided again on fresh state.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.placement.adapters.tables import candidate_index, placement_index, position_index
from services.placement.domain.candidate import Candidate
from services.placement.domain.matching_round import Occupancy
from services.placement.domain.placement import Placement
from services.placement.domain.placement_record import DECLINED
from services.placement.domain.position import Position
from services.placement.domain.stability import Pair
from shared.contracts.placement.events import CandidateAdmitted, CandidateWithdrew, PositionPosted
from shared.contracts.records import Event
from shared.domain import Aggregate, ConcurrencyConflictError
from shared.eventstore.uow import IndexKeeper, UnitOfWork


def list_position(uow: UnitOfWork, position: Position, new_events: Sequence[Event]) -> None:
    """A newly posted position joins its campaign's list."""
    if any(isinstance(event, PositionPosted) for event in new_events):
        row = {"campaign_id": position.campaign_id, "host_unit_id": position.host_unit_id}
        statement = position_index.insert().values(position_id=position.id, **row)
        _insert(uow.session, statement, position.stream_id)


def list_candidate(uow: UnitOfWork, candidate: Candidate, new_events: Sequence[Event]) -> None:
    """A student placement has heard of (admitted, or withdrawn first) joins the campaign's list."""
    for event in new_events:
        if isinstance(event, CandidateAdmitted | CandidateWithdrew):
            known = uow.session.scalar(
                sa.select(candidate_index.c.student_id).where(
                    candidate_index.c.student_id == candidate.id
                )
            )
            if known is None:
                values = {"student_id": candidate.id, "campaign_id": event.campaign_id}
                statement = candidate_index.insert().values(**values)
                _insert(uow.session, statement, candidate.stream_id)
            return


def hold_seat(uow: UnitOfWork, placement: Placement, _new_events: Sequence[Event]) -> None:
    """A new placement (an offer, or a direct agreement) takes a seat; a later change keeps
    its status and frees the seat once it no longer holds one (declined or ended)."""
    if placement.version == 0:
        _take_seat(uow, placement)
        return
    values: dict[str, object] = {"status": placement.status}
    if not placement.holds_seat:
        values.update(seat_number=None, holder=None)
    uow.session.execute(
        placement_index.update()
        .where(placement_index.c.placement_id == placement.id)
        .values(**values)
    )


def _take_seat(uow: UnitOfWork, placement: Placement) -> None:
    """The lowest free seat of the placement's position; the position refuses when full."""
    position = uow.require(Position, placement.position_id)
    taken = set(
        uow.session.scalars(
            sa.select(placement_index.c.seat_number).where(
                placement_index.c.position_id == position.id,
                placement_index.c.seat_number.is_not(None),
            )
        )
    )
    _insert(
        uow.session,
        placement_index.insert().values(
            placement_id=placement.id,
            campaign_id=placement.campaign_id,
            position_id=position.id,
            student_id=placement.student_id,
            status=placement.status,
            seat_number=position.first_free_seat(taken),
            holder=placement.student_id,
        ),
        position.stream_id,
    )


def _insert(session: Session, statement: sa.Insert, contended: str) -> None:
    """Insert an index row; a unique key refusing it means a rival command got there first."""
    try:
        session.execute(statement)
    except IntegrityError:
        raise ConcurrencyConflictError(contended, 0) from None


KEEPERS: dict[type[Aggregate], IndexKeeper] = {
    Position: list_position,
    Candidate: list_candidate,
    Placement: hold_seat,
}


def positions_of(session: Session, campaign_id: str) -> list[str]:
    query = sa.select(position_index.c.position_id).where(
        position_index.c.campaign_id == campaign_id
    )
    return list(session.scalars(query))


def candidates_of(session: Session, campaign_id: str) -> list[str]:
    query = sa.select(candidate_index.c.student_id).where(
        candidate_index.c.campaign_id == campaign_id
    )
    return list(session.scalars(query))


def placement_held_by(session: Session, student_id: str) -> str | None:
    """The placement (offered, agreed, started or completed) the student holds, if any."""
    return session.scalar(
        sa.select(placement_index.c.placement_id).where(placement_index.c.holder == student_id)
    )


def placements_holding_seats_in(session: Session, position_id: str) -> list[str]:
    query = sa.select(placement_index.c.placement_id).where(
        placement_index.c.position_id == position_id, placement_index.c.holder.is_not(None)
    )
    return list(session.scalars(query))


def occupancy(session: Session, campaign_id: str) -> Occupancy:
    """Seats held per position, students holding one, and declined pairs of a campaign."""
    in_campaign = placement_index.c.campaign_id == campaign_id
    holding = placement_index.c.holder.is_not(None)
    seats = session.execute(
        sa.select(placement_index.c.position_id, sa.func.count())
        .where(in_campaign, holding)
        .group_by(placement_index.c.position_id)
    )
    placed = session.scalars(sa.select(placement_index.c.student_id).where(in_campaign, holding))
    # Pairs whose offer was declined by either side: never offered again.
    declined = session.execute(
        sa.select(placement_index.c.student_id, placement_index.c.position_id).where(
            in_campaign, placement_index.c.status == DECLINED
        )
    )
    return Occupancy(
        seats_taken={position_id: int(count) for position_id, count in seats},
        placed_students=set(placed),
        declined={Pair(student_id, position_id) for student_id, position_id in declined},
    )
