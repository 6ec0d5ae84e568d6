"""A matching round: who takes part, the proposal with its stability report, publication.

A round sees only what is still open: eligible candidates who hold no placement, and open
positions with their free seats. A student is never matched again to a position where an
earlier offer between them was declined.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from services.placement.domain.candidate import Candidate
from services.placement.domain.matching import (
    PositionChoices,
    StudentChoices,
    match_students_to_positions,
)
from services.placement.domain.position import Position
from services.placement.domain.stability import Pair, check_stability
from shared.contracts.placement.errors import MatchingRoundNotFoundError, MatchingRoundStateError
from shared.contracts.placement.events import MatchingProposed, MatchingPublished
from shared.domain import Aggregate


@dataclass(frozen=True)
class Occupancy:
    """What earlier rounds and direct placements have settled in a campaign."""

    seats_taken: Mapping[str, int]  # position id -> seats held
    placed_students: Collection[str]
    declined: Collection[Pair] = frozenset()

    def free_seats(self, position: Position) -> int:
        return position.capacity - self.seats_taken.get(position.id, 0)


@dataclass(frozen=True)
class RoundPreferences:
    """Both sides' rankings, cut down to the students and seats still to be placed."""

    students: tuple[StudentChoices, ...]
    positions: tuple[PositionChoices, ...]
    max_choices: int


def round_preferences(
    candidates: Iterable[Candidate],
    positions: Iterable[Position],
    occupancy: Occupancy,
    max_choices: int,
) -> RoundPreferences:
    """Every eligible, unplaced candidate (ranked or not, so the operator sees who is left)
    and every open position with a free seat, its capacity being its free seats."""
    declined = occupancy.declined
    free = {
        position.id: position
        for position in sorted(positions, key=lambda p: p.id)
        if position.is_open and occupancy.free_seats(position) > 0
    }
    students = tuple(
        StudentChoices(
            candidate.id,
            tuple(
                pid
                for pid in candidate.ranking
                if pid in free and Pair(candidate.id, pid) not in declined
            ),
        )
        for candidate in sorted(candidates, key=lambda c: c.id)
        if candidate.is_eligible and candidate.id not in occupancy.placed_students
    )
    in_round = {student.student_id for student in students}
    position_choices = tuple(
        PositionChoices(
            pid,
            occupancy.free_seats(position),
            tuple(
                sid
                for sid in position.ranked_students
                if sid in in_round and Pair(sid, pid) not in declined
            ),
            frozenset(position.unacceptable & in_round),
        )
        for pid, position in free.items()
    )
    longest = max((len(student.choices) for student in students), default=0)
    return RoundPreferences(students, position_choices, max(max_choices, longest))


def find_stale_pairs(
    pairs: Sequence[Pair],
    candidates: Mapping[str, Candidate | None],
    positions: Mapping[str, Position | None],
    occupancy: Occupancy,
) -> list[dict[str, str]]:
    """The proposed pairs that no longer fit: the student withdrew or was placed meanwhile,
    or the position closed or lost the seats the proposal counted on."""
    stale: list[dict[str, str]] = []
    wanted: dict[str, int] = {}
    for pair in pairs:
        wanted[pair.position_id] = wanted.get(pair.position_id, 0) + 1
    for pair in pairs:
        candidate, position = candidates.get(pair.student_id), positions.get(pair.position_id)
        if candidate is None or not candidate.is_eligible:
            reason = "student_not_eligible"
        elif pair.student_id in occupancy.placed_students:
            reason = "student_already_placed"
        elif position is None or not position.is_open:
            reason = "position_not_open"
        elif occupancy.free_seats(position) < wanted[position.id]:
            reason = "seats_taken"
        else:
            continue
        stale.append({**vars(pair), "reason": reason})
    return stale


class MatchingRound(Aggregate, stream="matching-round", missing=MatchingRoundNotFoundError):
    campaign_id: str
    assignments: tuple[Pair, ...]
    unmatched: tuple[str, ...]
    unfilled: dict[str, int]
    blocking_pairs: tuple[Pair, ...]
    published: bool = False

    @classmethod
    def propose(
        cls, round_id: str, campaign_id: str, preferences: RoundPreferences
    ) -> MatchingRound:
        """Run student-proposing deferred acceptance and record it with its stability report."""
        students, positions = preferences.students, preferences.positions
        result = match_students_to_positions(students, positions, preferences.max_choices)
        report = check_stability(students, positions, result.assignment, preferences.max_choices)
        matching_round = cls(round_id)
        matching_round._record(
            MatchingProposed(
                round_id=round_id,
                campaign_id=campaign_id,
                assignments=[
                    {"student_id": s.student_id, "position_id": result.assignment[s.student_id]}
                    for s in students
                    if s.student_id in result.assignment
                ],
                unmatched=list(result.unmatched),
                unfilled=dict(result.unfilled),
                blocking_pairs=[
                    {"student_id": pair.student_id, "position_id": pair.position_id}
                    for pair in report.blocking_pairs
                ],
            )
        )
        return matching_round

    @property
    def is_stable(self) -> bool:
        return not self.blocking_pairs

    def publish(self, stale: Sequence[dict[str, str]]) -> tuple[Pair, ...]:
        """Publish once, a stable proposal whose pairs still fit (``stale`` lists those that
        no longer do); returns the pairs to offer."""
        if self.published:
            raise MatchingRoundStateError(
                "the round has been published already", {"round_id": self.id}
            )
        if not self.is_stable:
            raise MatchingRoundStateError(
                "an unstable proposal cannot be published", {"round_id": self.id}
            )
        if stale:
            raise MatchingRoundStateError(
                "seats or students changed since the proposal; propose again",
                {"round_id": self.id, "stale": list(stale)},
            )
        self._record(MatchingPublished(self.id, self.campaign_id))
        return self.assignments

    def _when_MatchingProposed(self, event: MatchingProposed) -> None:
        self.campaign_id = event.campaign_id
        self.assignments = tuple(Pair(**pair) for pair in event.assignments)
        self.unmatched = tuple(event.unmatched)
        self.unfilled = dict(event.unfilled)
        self.blocking_pairs = tuple(Pair(**pair) for pair in event.blocking_pairs)

    def _when_MatchingPublished(self, _event: MatchingPublished) -> None:
        self.published = True
