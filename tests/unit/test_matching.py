"""Two-way selection: textbook answers, refusals, and random instances against an oracle.

The oracle is the `matching` package's HospitalResident (optimal="resident"), a test-only
dependency; the stability report is checked against a naive pairwise search written here.
"""

from __future__ import annotations

import random
import warnings
from collections.abc import Mapping

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.placement.domain.matching import (
    InvalidPreferencesError,
    PositionChoices,
    StudentChoices,
    match_students_to_positions,
)
from services.placement.domain.stability import (
    CapacityViolation,
    OutsideRankingPair,
    Pair,
    check_stability,
)

Instance = tuple[list[StudentChoices], list[PositionChoices]]


def student(student_id: str, *choices: str) -> StudentChoices:
    return StudentChoices(student_id, choices)


def position(
    position_id: str, capacity: int, *choices: str, unacceptable: tuple[str, ...] = ()
) -> PositionChoices:
    return PositionChoices(position_id, capacity, choices, frozenset(unacceptable))


def gale_shapley_cycle() -> Instance:
    """Each student's first choice ranks them last: two stable matchings, one per side."""
    students = [
        student("a", "A", "B", "C"),
        student("b", "B", "C", "A"),
        student("c", "C", "A", "B"),
    ]
    positions = [position("A", 1, "b", "c", "a"), position("B", 1, "c", "a", "b")]
    return students, [*positions, position("C", 1, "a", "b", "c")]


def test_gives_every_student_their_first_choice_in_the_gale_shapley_cycle():
    students, positions = gale_shapley_cycle()
    result = match_students_to_positions(students, positions)
    assert result.assignment == {"a": "A", "b": "B", "c": "C"}
    assert check_stability(students, positions, {"a": "C", "b": "A", "c": "B"}).is_stable


def test_picks_the_students_side_of_two_stable_matchings_with_two_seat_positions():
    students = [student(s, "A", "B") for s in ("a1", "a2")] + [
        student(s, "B", "A") for s in ("b1", "b2")
    ]
    positions = [position("A", 2, "b1", "b2", "a1", "a2"), position("B", 2, "a1", "a2", "b1", "b2")]
    result = match_students_to_positions(students, positions)
    assert result.assignment == {"a1": "A", "a2": "A", "b1": "B", "b2": "B"}
    assert result.unfilled == {"A": 0, "B": 0}
    swapped = {"a1": "B", "a2": "B", "b1": "A", "b2": "A"}
    assert check_stability(students, positions, swapped).is_stable


def test_solves_the_hospital_resident_textbook_example_with_a_displacement():
    students = [
        student("A", "C"),
        student("S", "C", "M"),
        student("D", "C", "M", "G"),
        student("J", "C", "G", "M"),
        student("L", "M", "C", "G"),
    ]
    positions = [
        position("M", 2, "D", "L", "S", "J"),
        position("C", 2, "D", "A", "S", "L", "J"),
        position("G", 2, "D", "J", "L"),
    ]
    result = match_students_to_positions(students, positions)
    assert result.assignment == {"L": "M", "S": "M", "D": "C", "A": "C", "J": "G"}
    assert result.unmatched == ()
    assert result.unfilled == {"M": 0, "C": 0, "G": 1}


def test_admits_everyone_when_applicants_exactly_fill_the_seats():
    result = match_students_to_positions(
        [student("s1", "P"), student("s2", "P")], [position("P", 2, "s2", "s1")]
    )
    assert result.assignment == {"s1": "P", "s2": "P"}
    assert result.unfilled == {"P": 0}


def test_turns_away_only_the_lowest_ranked_when_one_applicant_too_many():
    students = [student(s, "P") for s in ("s1", "s2", "s3")]
    result = match_students_to_positions(students, [position("P", 2, "s3", "s1", "s2")])
    assert result.assignment == {"s3": "P", "s1": "P"}
    assert result.unmatched == ("s2",)


def test_result_does_not_depend_on_the_order_of_students_or_positions():
    students, positions = gale_shapley_cycle()
    expected = match_students_to_positions(students, positions)
    rng = random.Random(7)
    for _ in range(5):
        rng.shuffle(students)
        rng.shuffle(positions)
        assert match_students_to_positions(students, positions).assignment == expected.assignment


def test_leaves_everyone_unmatched_when_no_position_accepts_anyone():
    students = [student("s1", "P", "Q"), student("s2", "Q")]
    positions = [position("P", 1), position("Q", 3, "s1", "s2", unacceptable=("s1", "s2"))]
    result = match_students_to_positions(students, positions)
    assert result.assignment == {}
    assert result.unmatched == ("s1", "s2")
    assert result.unfilled == {"P": 1, "Q": 3}


def test_matches_nothing_on_empty_inputs():
    result = match_students_to_positions([], [])
    assert (result.assignment, result.unmatched, result.unfilled) == ({}, (), {})
    assert check_stability([], [], {}).is_stable


def test_never_places_a_student_at_a_position_they_did_not_rank():
    result = match_students_to_positions(
        [student("s1", "Q"), student("s2")], [position("P", 1, "s1", "s2"), position("Q", 1)]
    )
    assert result.assignment == {}


def test_marking_a_student_unacceptable_overrides_their_place_in_the_ranking():
    students = [student("s1", "P"), student("s2", "P")]
    result = match_students_to_positions(
        students, [position("P", 1, "s1", "s2", unacceptable=("s1",))]
    )
    assert result.assignment == {"s2": "P"}


def test_refuses_a_student_ranking_a_position_that_does_not_exist():
    with pytest.raises(
        ValueError, match=r"student s1 ranks ids that are not in this round: \['Nowhere'\]"
    ):
        match_students_to_positions([student("s1", "P", "Nowhere")], [position("P", 1, "s1")])


@pytest.mark.parametrize(
    ("students", "positions", "message"),
    [
        ([student("s1", *"ABCDEF")], [position(p, 1) for p in "ABCDEF"], "at most 5"),
        ([student("s1", "P", "P")], [position("P", 1)], "same choice more than once"),
        ([student("s1"), student("s1")], [], "appear more than once"),
        ([student("s1")], [position("P", 0, "s1")], "capacity 0"),
        ([student("s1")], [position("P", 1, "s1", "s1")], "same choice more than once"),
        ([student("s1")], [position("P", 1, "ghost")], "not in this round"),
        ([student("s1")], [position("P", 1, unacceptable=("ghost",))], "not in this round"),
    ],
)
def test_refuses_rankings_that_are_ambiguous_or_name_strangers(students, positions, message):
    with pytest.raises(InvalidPreferencesError, match=message):
        match_students_to_positions(students, positions)


def test_stability_report_names_every_kind_of_problem():
    students = [student("s1", "P", "Q"), student("s2", "Q"), student("s3", "Q", "P")]
    positions = [position("P", 1, "s1", "s3"), position("Q", 1, "s3", "s1")]
    report = check_stability(
        students, positions, {"s1": "Q", "s2": "Q", "s3": "Nowhere", "ghost": "P"}
    )
    # P holds a stranger, so it would rather have anyone it ranks; Q holds one student too many.
    assert set(report.blocking_pairs) == {
        Pair("s1", "P"),
        Pair("s3", "Q"),
        Pair("s3", "P"),
    }
    assert report.capacity_violations == (CapacityViolation("Q", 1, 2),)
    assert set(report.outside_rankings) == {
        OutsideRankingPair("s2", "Q", unranked_by_student=False, unacceptable_to_position=True),
        OutsideRankingPair(
            "s3", "Nowhere", unranked_by_student=True, unacceptable_to_position=True
        ),
        OutsideRankingPair("ghost", "P", unranked_by_student=True, unacceptable_to_position=True),
    }
    assert not report.is_stable


@st.composite
def instances(draw: st.DrawFn) -> Instance:
    """Up to 9 students and 5 positions; positions also rank and refuse non-applicants."""
    student_ids = [f"s{i}" for i in range(draw(st.integers(0, 9)))]
    position_ids = [f"p{j}" for j in range(draw(st.integers(0, 5)))]
    students = [
        StudentChoices(sid, tuple(draw(st.permutations(position_ids)))[: draw(st.integers(0, 5))])
        for sid in student_ids
    ]
    positions = [
        PositionChoices(
            pid,
            draw(st.integers(1, 3)),
            tuple(draw(st.permutations(student_ids)))[: draw(st.integers(0, len(student_ids)))],
            draw(st.frozensets(st.sampled_from(student_ids), max_size=2))
            if student_ids
            else frozenset(),
        )
        for pid in position_ids
    ]
    return students, positions


def package_student_optimal(
    students: list[StudentChoices], positions: list[PositionChoices]
) -> dict[str, str]:
    """The `matching` package's answer, fed only mutually acceptable pairs as it expects."""
    from matching import games  # a dev dependency: the oracle must run, never be skipped

    accepts = {p.position_id: [s for s in p.choices if s not in p.unacceptable] for p in positions}
    resident_prefs = {
        s.student_id: [pid for pid in s.choices if s.student_id in accepts[pid]] for s in students
    }
    hospital_prefs = {
        pid: [sid for sid in ranking if pid in resident_prefs[sid]]
        for pid, ranking in accepts.items()
    }
    resident_prefs = {sid: prefs for sid, prefs in resident_prefs.items() if prefs}
    hospital_prefs = {pid: prefs for pid, prefs in hospital_prefs.items() if prefs}
    if not resident_prefs:
        return {}
    capacities = {p.position_id: p.capacity for p in positions if p.position_id in hospital_prefs}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        game = games.HospitalResident.create_from_dictionaries(
            resident_prefs, hospital_prefs, capacities
        )
        solved = game.solve(optimal="resident")
    return {resident.name: hospital.name for hospital, held in solved.items() for resident in held}


def naive_report(
    students: list[StudentChoices], positions: list[PositionChoices], assignment: Mapping[str, str]
) -> tuple[set[tuple[str, str]], set[str], set[tuple[str, str]]]:
    """Blocking pairs, overfull positions and unagreed pairs by the definitions, pair by pair."""
    by_id = {p.position_id: p for p in positions}
    wants = {s.student_id: s.choices for s in students}

    def acceptable(pid: str, sid: str) -> bool:
        return pid in by_id and sid in by_id[pid].choices and sid not in by_id[pid].unacceptable

    def position_prefers(pid: str, sid: str, other: str) -> bool:
        ranking = by_id[pid].choices
        return not acceptable(pid, other) or ranking.index(sid) < ranking.index(other)

    blocking = set()
    for s in students:
        for pid in s.choices:
            if pid == assignment.get(s.student_id):
                break
            held = [other for other, q in assignment.items() if q == pid]
            if acceptable(pid, s.student_id) and (
                len(held) < by_id[pid].capacity
                or any(position_prefers(pid, s.student_id, other) for other in held)
            ):
                blocking.add((s.student_id, pid))
    overfull = {
        p.position_id
        for p in positions
        if list(assignment.values()).count(p.position_id) > p.capacity
    }
    unagreed = {
        (sid, pid)
        for sid, pid in assignment.items()
        if pid not in wants.get(sid, ()) or not acceptable(pid, sid)
    }
    return blocking, overfull, unagreed


@settings(deadline=None, max_examples=300)
@given(instances())
def test_random_matchings_are_stable_and_equal_the_packages_student_optimal(instance: Instance):
    students, positions = instance
    result = match_students_to_positions(students, positions)
    assert naive_report(students, positions, result.assignment) == (set(), set(), set())
    assert dict(result.assignment) == package_student_optimal(students, positions)
    assert set(result.unmatched) == {s.student_id for s in students} - set(result.assignment)
    capacities = {p.position_id: p.capacity for p in positions}
    for pid, free in result.unfilled.items():
        assert free == capacities[pid] - list(result.assignment.values()).count(pid) >= 0


@settings(deadline=None, max_examples=300)
@given(instances(), st.data())
def test_stability_report_agrees_with_a_naive_search_on_arbitrary_assignments(
    instance: Instance, data: st.DataObject
):
    students, positions = instance
    targets = [p.position_id for p in positions] + ["Nowhere"]
    assignment = {
        s.student_id: pid
        for s in students
        if (pid := data.draw(st.none() | st.sampled_from(targets))) is not None
    }
    report = check_stability(students, positions, assignment)
    blocking, overfull, unagreed = naive_report(students, positions, assignment)
    assert {(b.student_id, b.position_id) for b in report.blocking_pairs} == blocking
    assert {v.position_id for v in report.capacity_violations} == overfull
    assert {(o.student_id, o.position_id) for o in report.outside_rankings} == unagreed
    assert report.is_stable == (not blocking and not overfull and not unagreed)
