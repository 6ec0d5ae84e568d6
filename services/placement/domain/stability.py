"""Stability report for any proposed placement of students, not only the algorithm's own.

Operators see it beside every proposal, including hand-edited ones, so it names each
problem concretely: a student and a position who would both rather have each other
(a blocking pair: the proposal would not hold if they talked), a position given more
students than seats, and a placement that one side never asked for.

It runs in time linear in the rankings: one pass over the assignment finds each position's
head count and its worst held student, then each student looks only at the positions they
ranked above their own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from services.placement.domain.matching import (
    PositionChoices,
    StudentChoices,
    index_preferences,
)
from shared.contracts.placement.commands import DEFAULT_MAX_CHOICES


@dataclass(frozen=True)
class Pair:
    """A student and a position: one assignment, or (in a report) a blocking pair, a student
    and a position that each prefer the other to what the proposal gives them."""

    student_id: str
    position_id: str


@dataclass(frozen=True)
class CapacityViolation:
    position_id: str
    capacity: int
    assigned: int


@dataclass(frozen=True)
class OutsideRankingPair:
    """A placement one side never agreed to; an unknown id counts as unranked on both sides."""

    student_id: str
    position_id: str
    unranked_by_student: bool
    unacceptable_to_position: bool


@dataclass(frozen=True)
class StabilityReport:
    blocking_pairs: tuple[Pair, ...]
    capacity_violations: tuple[CapacityViolation, ...]
    outside_rankings: tuple[OutsideRankingPair, ...]

    @property
    def is_stable(self) -> bool:
        """True when the proposal is feasible, individually rational and has no blocking pair."""
        return not (self.blocking_pairs or self.capacity_violations or self.outside_rankings)


def check_stability(
    students: Sequence[StudentChoices],
    positions: Sequence[PositionChoices],
    assignment: Mapping[str, str],
    max_choices: int = DEFAULT_MAX_CHOICES,
) -> StabilityReport:
    """Report everything that keeps ``assignment`` (student id -> position id) from being stable.

    A position with a free seat counts as wanting any student it finds acceptable, and a
    position holding someone it does not accept counts as wanting anyone it does accept.
    """
    index = index_preferences(students, positions, max_choices)
    no_one_worse = len(index.student_ids)
    head_count = [0] * len(index.position_ids)
    worst_held = [-1] * len(index.position_ids)
    current: dict[int, int] = {}
    outside: list[OutsideRankingPair] = []
    for student_id, position_id in assignment.items():
        s = index.student_index.get(student_id)
        p = index.position_index.get(position_id)
        if p is None:
            outside.append(OutsideRankingPair(student_id, position_id, True, True))
            continue
        head_count[p] += 1
        rank = index.acceptable[p].get(student_id)
        held_rank = no_one_worse if rank is None else rank
        worst_held[p] = max(worst_held[p], held_rank)
        if s is None:
            outside.append(OutsideRankingPair(student_id, position_id, True, True))
            continue
        current[s] = p
        unranked = p not in index.choices[s]
        if unranked or rank is None:
            outside.append(OutsideRankingPair(student_id, position_id, unranked, rank is None))
    blocking: list[Pair] = []
    for s, (student_id, wanted) in enumerate(zip(index.student_ids, index.choices, strict=True)):
        held_at = current.get(s)
        for p in wanted:
            if p == held_at:
                break
            rank = index.acceptable[p].get(student_id)
            if rank is None:
                continue
            if head_count[p] < index.capacities[p] or rank < worst_held[p]:
                blocking.append(Pair(student_id, index.position_ids[p]))
    violations = tuple(
        CapacityViolation(position_id, capacity, assigned)
        for position_id, capacity, assigned in zip(
            index.position_ids, index.capacities, head_count, strict=True
        )
        if assigned > capacity
    )
    return StabilityReport(tuple(blocking), violations, tuple(outside))
