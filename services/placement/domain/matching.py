"""Two-way selection (双向选择): student-proposing deferred acceptance with capacities.

Students rank up to ``max_choices`` positions; each position ranks the students it would take
and has a number of seats. Deferred acceptance (Gale-Shapley, in its hospital-resident form)
gives the one stable matching that every student likes at least as much as any other
stable matching (student-optimal). The result does not depend on the order in which students
or positions are given.

Speed matters because operators rerun a round with every change of rankings: ids are
turned into list indices once, each student's list keeps only the positions that would
accept them (with their rank there, so the main loop does no dict look-up), and each
position holds its current students in a heap with the worst on top, so a displacement
costs O(log capacity).

(One algorithm in one module, index arithmetic and all: split, it would be harder to check
against the textbook.)
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from shared.contracts.placement.commands import DEFAULT_MAX_CHOICES
from shared.contracts.placement.errors import InvalidPreferencesError


@dataclass(frozen=True)
class StudentChoices:
    """The positions one student would take, most wanted first."""

    student_id: str
    choices: tuple[str, ...]


@dataclass(frozen=True)
class PositionChoices:
    """The students one position would take, best first, and how many seats it has.

    A student missing from ``choices`` or named in ``unacceptable`` is never placed here.
    """

    position_id: str
    capacity: int
    choices: tuple[str, ...]
    unacceptable: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class MatchingResult:
    """Where each placed student goes, who is left over, and the free seats of each position."""

    assignment: Mapping[str, str]
    unmatched: tuple[str, ...]
    unfilled: Mapping[str, int]


@dataclass(frozen=True)
class PreferenceIndex:
    """Both sides' rankings checked once and turned into list indices.

    ``acceptable[p]`` maps each student position ``p`` accepts to their rank there (0 is
    best) and ``ranked[p][rank]`` is that student's index; ``choices[s]`` holds the position
    indices student ``s`` ranked, in order. Acceptability is not applied to ``choices``, so
    that a stability check can still see every pair a student asked for.
    """

    student_ids: list[str]
    position_ids: list[str]
    student_index: dict[str, int]
    position_index: dict[str, int]
    capacities: list[int]
    choices: list[list[int]]
    acceptable: list[dict[str, int]]
    ranked: list[list[int]]


def index_preferences(
    students: Sequence[StudentChoices],
    positions: Sequence[PositionChoices],
    max_choices: int = DEFAULT_MAX_CHOICES,
) -> PreferenceIndex:
    """Check both sides' rankings and index them; refuse anything ambiguous.

    Each id is looked up once: at 100,000 students the look-ups, not the arithmetic, are
    what costs, so the checks work on the indices the look-ups produce.
    """
    student_ids = [student.student_id for student in students]
    position_ids = [position.position_id for position in positions]
    student_index = _unique_index(student_ids, "student")
    position_index = _unique_index(position_ids, "position")
    choices = []
    for student in students:
        if len(student.choices) > max_choices:
            raise InvalidPreferencesError(
                f"student {student.student_id} ranks {len(student.choices)} positions, "
                f"at most {max_choices} allowed",
                {"student_id": student.student_id, "max_choices": max_choices},
            )
        choices.append(_lookup(student.choices, position_index, f"student {student.student_id}"))
    acceptable, ranked = [], []
    for position in positions:
        if position.capacity < 1:
            raise InvalidPreferencesError(
                f"position {position.position_id} has capacity {position.capacity}, "
                "at least 1 required",
                {"position_id": position.position_id, "capacity": position.capacity},
            )
        owner, order = f"position {position.position_id}", position.choices
        if position.unacceptable:
            _lookup(tuple(position.unacceptable), student_index, owner)
            order = tuple(sid for sid in order if sid not in position.unacceptable)
        ranked.append(_lookup(order, student_index, owner))
        acceptable.append(dict(zip(order, range(len(order)), strict=True)))
    capacities = [position.capacity for position in positions]
    return PreferenceIndex(
        student_ids,
        position_ids,
        student_index,
        position_index,
        capacities,
        choices,
        acceptable,
        ranked,
    )


def match_students_to_positions(
    students: Sequence[StudentChoices],
    positions: Sequence[PositionChoices],
    max_choices: int = DEFAULT_MAX_CHOICES,
) -> MatchingResult:
    """The student-optimal stable matching of a two-way selection round."""
    index = index_preferences(students, positions, max_choices)
    # Each student's proposals, in order, only to positions that would accept them and with
    # the student's rank there; flattened into two lists (student s owns the slice up to
    # ends[s]) because 100,000 small lists cost more in allocation and GC than the matching.
    targets: list[int] = []
    ranks: list[int] = []
    ends: list[int] = []
    for sid, wanted in zip(index.student_ids, index.choices, strict=True):
        for p in wanted:
            rank = index.acceptable[p].get(sid)
            if rank is not None:
                targets.append(p)
                ranks.append(rank)
        ends.append(len(targets))
    holds = _defer_acceptance(targets, ranks, ends, index.capacities, index.ranked)
    assignment: dict[str, str] = {}
    for p, held in enumerate(holds):
        position_id, order = index.position_ids[p], index.ranked[p]
        for negated_rank in held:  # the heaps hold negated ranks, see _defer_acceptance
            assignment[index.student_ids[order[-negated_rank]]] = position_id
    return MatchingResult(
        assignment=MappingProxyType(assignment),
        unmatched=tuple(sid for sid in index.student_ids if sid not in assignment),
        unfilled=MappingProxyType(
            {
                pid: capacity - len(held)
                for pid, capacity, held in zip(
                    index.position_ids, index.capacities, holds, strict=True
                )
            }
        ),
    )


def _defer_acceptance(
    targets: list[int],
    ranks: list[int],
    ends: list[int],
    capacities: list[int],
    ranked: list[list[int]],
) -> list[list[int]]:
    """Run the proposals; return each position's heap of held students as negated ranks.

    Ranks are unique within a position, so a heap of plain ints (negated, so that the worst
    held student is on top) is enough, and ``ranked`` turns a rank back into the student.
    A student's next proposal is remembered in ``next_proposal``, so nobody proposes twice.
    """
    holds: list[list[int]] = [[] for _ in capacities]
    next_proposal = [0, *ends[:-1]]
    free = list(range(len(ends) - 1, -1, -1))
    push, replace = heapq.heappush, heapq.heapreplace
    while free:
        s = free.pop()
        k, end = next_proposal[s], ends[s]
        while k < end:
            p, rank = targets[k], ranks[k]
            k += 1
            held = holds[p]
            if len(held) < capacities[p]:
                push(held, -rank)
                break
            worst = -held[0]
            if rank < worst:
                replace(held, -rank)
                free.append(ranked[p][worst])
                break
        next_proposal[s] = k
    return holds


def _unique_index(ids: list[str], side: str) -> dict[str, int]:
    index = {identifier: i for i, identifier in enumerate(ids)}
    if len(index) != len(ids):
        repeated = sorted(identifier for identifier, n in Counter(ids).items() if n > 1)
        raise InvalidPreferencesError(
            f"{side} ids appear more than once: {repeated}", {f"repeated_{side}_ids": repeated}
        )
    return index


def _lookup(ranking: tuple[str, ...], index: dict[str, int], owner: str) -> list[int]:
    """Turn ``owner``'s ranking into indices, refusing strangers and repeats (it is strict)."""
    try:
        found = [index[identifier] for identifier in ranking]
    except KeyError:
        unknown = [identifier for identifier in ranking if identifier not in index]
        raise InvalidPreferencesError(
            f"{owner} ranks ids that are not in this round: {unknown}",
            {"ranked_by": owner, "unknown_ids": unknown},
        ) from None
    if len(set(found)) != len(found):
        raise InvalidPreferencesError(
            f"{owner} ranks the same choice more than once",
            {"ranked_by": owner, "choices": list(ranking)},
        )
    return found
