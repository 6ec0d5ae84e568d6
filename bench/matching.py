"""Two-way selection speed beside the `matching` package's HospitalResident, same instance and run.

.venv/bin/python bench/matching.py [--seed 2023] [--skip-package]

The `matching` package is a test oracle and the baseline here, never a product dependency;
without it the script still prints our own figures.
"""

from __future__ import annotations

import argparse
import random
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from services.placement.domain.matching import (
    MatchingResult,
    PositionChoices,
    StudentChoices,
    match_students_to_positions,
)
from services.placement.domain.stability import check_stability

HERE = Path(__file__).resolve().parent
Instance = tuple[list[StudentChoices], list[PositionChoices]]


def make_instance(students: int, positions: int, seed: int, choices: int = 5) -> Instance:
    """Seeded: capacities 1-5, each student ranks `choices` positions, each position ranks
    all its applicants in random order."""
    rng = random.Random(seed)
    position_ids = [f"position-{j}" for j in range(positions)]
    applicants: list[list[str]] = [[] for _ in range(positions)]
    student_choices = []
    for i in range(students):
        student_id = f"student-{i}"
        wanted = rng.sample(range(positions), choices)
        for j in wanted:
            applicants[j].append(student_id)
        student_choices.append(StudentChoices(student_id, tuple(position_ids[j] for j in wanted)))
    position_choices = []
    for j, ranking in enumerate(applicants):
        rng.shuffle(ranking)
        position_choices.append(PositionChoices(position_ids[j], rng.randint(1, 5), tuple(ranking)))
    return student_choices, position_choices


def best_of(runs: int, work: Callable[[], Any]) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(runs):
        started = time.perf_counter()
        result = work()
        best = min(best, time.perf_counter() - started)
    return best, result


def run_package(instance: Instance) -> tuple[float, float, dict[str, str]] | None:
    """Build and solve with `matching`; return (build seconds, solve seconds, assignment).

    The package deep-copies and solves recursively, so it needs a deep recursion limit and a
    thread with a large stack to get through this size.
    """
    # This script is itself named matching.py: drop its folder from the path, or the import
    # would find the script instead of the package.
    sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != HERE]
    try:
        from matching.games import HospitalResident
    except ImportError:
        return None
    students, positions = instance
    resident_prefs = {s.student_id: list(s.choices) for s in students if s.choices}
    hospital_prefs = {p.position_id: list(p.choices) for p in positions if p.choices}
    capacities = {p.position_id: p.capacity for p in positions if p.choices}
    outcome: dict[str, Any] = {}

    def work() -> None:
        started = time.perf_counter()
        game = HospitalResident.create_from_dictionaries(resident_prefs, hospital_prefs, capacities)
        built = time.perf_counter()
        solved = game.solve(optimal="resident")
        outcome["build"], outcome["solve"] = built - started, time.perf_counter() - built
        outcome["assignment"] = {
            resident.name: hospital.name for hospital, held in solved.items() for resident in held
        }

    sys.setrecursionlimit(1_000_000)
    threading.stack_size(512 * 1024 * 1024)
    worker = threading.Thread(target=work)
    worker.start()
    worker.join()
    return outcome["build"], outcome["solve"], outcome["assignment"]


def package_version() -> str:
    from importlib.metadata import version

    return version("matching")


def row(instance: str, solver: str, seconds: float, note: str) -> None:
    print(f"{instance:<18}{solver:<36}{seconds:>9.3f}  {note}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seed", type=int, default=2023)
    parser.add_argument("--skip-package", action="store_true")
    args = parser.parse_args()

    small = make_instance(10_000, 1_000, args.seed)
    ours, result = best_of(3, lambda: match_students_to_positions(*small))
    report_time, report = best_of(3, lambda: check_stability(*small, result.assignment))
    assert report.is_stable, report
    package = None if args.skip_package else run_package(small)

    large = make_instance(100_000, 10_000, args.seed)
    ours_large, result_large = best_of(3, lambda: match_students_to_positions(*large))
    large_report_time, large_report = best_of(
        3, lambda: check_stability(*large, result_large.assignment)
    )
    assert large_report.is_stable, large_report

    print(f"{'instance':<18}{'solver':<36}{'seconds':>9}")
    if package is None:
        row("10,000 x 1,000", "matching package: not installed", float("nan"), "(no baseline)")
    else:
        build, solve, assignment = package
        total = build + solve
        same = "same matching" if assignment == dict(result.assignment) else "DIFFERENT MATCHING"
        name = f"matching {package_version()} build+solve"
        row("10,000 x 1,000", name, total, f"(baseline; solve alone {solve:.3f} s; {same})")
    speedup = "" if package is None else f"= {(package[0] + package[1]) / ours:,.0f}x faster "
    row("10,000 x 1,000", "ours, best of 3", ours, f"{speedup}(target <= 0.5 s, >= 50x)")
    row("10,000 x 1,000", "stability report, best of 3", report_time, "(target well under 1 s)")
    row("100,000 x 10,000", "ours, best of 3", ours_large, "(target <= 5 s)")
    row("100,000 x 10,000", "stability report, best of 3", large_report_time, "")
    print(summary(result, "10,000 x 1,000"))
    print(summary(result_large, "100,000 x 10,000"))


def summary(result: MatchingResult, label: str) -> str:
    placed = len(result.assignment)
    return (
        f"{label}: {placed:,} placed, {len(result.unmatched):,} unmatched, "
        f"{sum(result.unfilled.values()):,} seats unfilled"
    )


if __name__ == "__main__":
    main()
