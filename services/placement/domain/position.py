"""A practice position (社会实践岗位) that a host unit posts for one campaign.

A position has ``capacity`` numbered seats. A seat is held by a placement from its offer (or
direct agreement) until the offer is declined or the placement ended; numbering the seats
lets the database refuse two placements racing for the last one.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date

from shared.actors import HOST_UNIT, OPERATOR, Actor
from shared.contracts.placement.commands import PostPosition
from shared.contracts.placement.errors import (
    InvalidPositionError,
    InvalidRankingError,
    PositionNotFoundError,
    PositionStateError,
    SeatUnavailableError,
)
from shared.contracts.placement.events import (
    ApplicantsRanked,
    PositionClosed,
    PositionPosted,
    PositionWithdrawn,
)
from shared.domain import Aggregate

OPEN, CLOSED, WITHDRAWN = "open", "closed", "withdrawn"


@dataclass(frozen=True)
class PlacementPeriod:
    """The days a placement in this position lasts, both ends included."""

    starts_on: date
    ends_on: date


class Position(Aggregate, stream="position", missing=PositionNotFoundError):
    posting: PositionPosted  # what the host unit filled in
    status: str
    ranked_students: tuple[str, ...] = ()
    unacceptable: frozenset[str] = frozenset()

    @classmethod
    def post(cls, posting: PostPosition) -> Position:
        """A position's period must not end before it starts (its seats are the contract's
        rule: 1 to 1000)."""
        if posting.ends_on < posting.starts_on:
            raise InvalidPositionError("a position must end after it starts", {"field": "ends_on"})
        position = cls(posting.position_id)
        position._record(PositionPosted(**vars(posting)))
        return position

    @property
    def host_unit_id(self) -> str:
        return self.posting.host_unit_id

    @property
    def campaign_id(self) -> str:
        return self.posting.campaign_id

    @property
    def capacity(self) -> int:
        return self.posting.capacity

    @property
    def period(self) -> PlacementPeriod:
        return PlacementPeriod(self.posting.starts_on, self.posting.ends_on)

    @property
    def is_open(self) -> bool:
        return self.status == OPEN

    def check_managed_by(self, actor: Actor) -> None:
        """Its own host unit and operators may act on a position; to others it does not exist."""
        if not actor.may_act_for((OPERATOR, HOST_UNIT), host_unit_id=self.host_unit_id):
            raise PositionNotFoundError.for_id(self.id)

    def check_open(self) -> None:
        if not self.is_open:
            raise PositionStateError(
                f"the position is {self.status}", {"position_id": self.id, "status": self.status}
            )

    def close(self, reason: str) -> None:
        """Stop taking students; placements already offered or agreed stay."""
        self.check_open()
        self._record(PositionClosed(self.id, reason))

    def withdraw(self, reason: str, placements_under_way: Sequence[str]) -> None:
        """Cancel an open or closed position that no placement has started in; the caller
        ends its offered and agreed placements in the same transaction."""
        if self.status == WITHDRAWN:
            raise PositionStateError(
                "the position is withdrawn already", {"position_id": self.id, "status": self.status}
            )
        if placements_under_way:
            raise PositionStateError(
                "placements in this position have started",
                {"position_id": self.id, "placement_ids": list(placements_under_way)},
            )
        self._record(PositionWithdrawn(self.id, reason))

    def rank_applicants(
        self, student_ids: Sequence[str], unacceptable: Sequence[str], applicants: Collection[str]
    ) -> None:
        """Rank (best first) students who applied here; unranked applicants are not taken."""
        self.check_open()
        named = [*student_ids, *unacceptable]
        repeated = sorted({sid for sid in named if named.count(sid) > 1})
        if repeated:
            raise InvalidRankingError(
                "a student is named more than once", {"repeated_student_ids": repeated}
            )
        strangers = [sid for sid in named if sid not in applicants]
        if strangers:
            raise InvalidRankingError(
                "only students who applied to the position can be ranked",
                {"not_applicants": strangers},
            )
        self._record(
            ApplicantsRanked(self.id, self.host_unit_id, list(student_ids), list(unacceptable))
        )

    def first_free_seat(self, taken: Collection[int]) -> int:
        """The lowest seat number not ``taken``; refuses when every seat is held."""
        for seat in range(1, self.capacity + 1):
            if seat not in taken:
                return seat
        raise SeatUnavailableError(
            "the position has no free seat", {"position_id": self.id, "capacity": self.capacity}
        )

    def _when_PositionPosted(self, event: PositionPosted) -> None:
        self.posting = event
        self.status = OPEN

    def _when_PositionClosed(self, _event: PositionClosed) -> None:
        self.status = CLOSED

    def _when_PositionWithdrawn(self, _event: PositionWithdrawn) -> None:
        self.status = WITHDRAWN

    def _when_ApplicantsRanked(self, event: ApplicantsRanked) -> None:
        self.ranked_students = tuple(event.student_ids)
        self.unacceptable = frozenset(event.unacceptable)
