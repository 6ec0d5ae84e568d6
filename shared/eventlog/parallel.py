"""Walking a large log in stretches, side by side in worker processes.

Each worker answers over its own pipe, written by it alone and read here alone: no feeder
threads (as a process pool has), so this also runs where eventlet has patched threads (tests
under nameko's pytest plugin). The caller links the stretches (``verify._link``).
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from typing import Any

from sqlalchemy.engine import Engine

from shared.eventlog.walk import RangeCheck, check_range_at

Progress = Callable[[int], None]
PARALLEL_FROM = 50_000  # entries: below this, starting processes costs more than it saves


def stretches_of(last: int, workers: int | None, engine: Engine) -> list[tuple[int, int]]:
    count = workers if workers is not None else (os.cpu_count() or 1)
    in_memory = engine.dialect.name == "sqlite" and engine.url.database in (None, "", ":memory:")
    if count <= 1 or last < PARALLEL_FROM or in_memory:
        return [(1, last)]
    size = -(-last // (count * 4))  # a few stretches per worker keep them all busy
    return [(first, min(first + size - 1, last)) for first in range(1, last + 1, size)]


def walk_apart(
    engine: Engine, stretches: list[tuple[int, int]], progress: Progress | None
) -> list[RangeCheck]:
    """Walk the stretches in worker processes, worker ``i`` taking stretches ``i, i+n, ...``,
    and collect their checks in order, stopping at the first problem.

    Each worker answers over its own pipe, written by it alone and read here alone: no feeder
    threads (as a process pool has), so this also runs where eventlet has patched threads.
    """
    url = engine.url.render_as_string(hide_password=False)
    context = multiprocessing.get_context("spawn")  # a fresh interpreter: no inherited state
    count = min(os.cpu_count() or 1, len(stretches))
    workers = []
    for index in range(count):
        receiver, sender = context.Pipe(duplex=False)
        mine = stretches[index::count]
        process = context.Process(target=_walk_stretches, args=(url, mine, sender), daemon=True)
        process.start()
        sender.close()
        workers.append((process, receiver))
    checks: list[RangeCheck] = []
    try:
        for number in range(len(stretches)):
            check: RangeCheck = workers[number % count][1].recv()
            checks.append(check)
            if progress is not None:
                progress(check.first + check.checked - 1)
            if check.problem is not None:
                break
    finally:
        for process, receiver in workers:
            receiver.close()
            process.terminate()
            process.join()
    return checks


def _walk_stretches(url: str, stretches: list[tuple[int, int]], sender: Any) -> None:
    """A worker process: check each stretch and send its result."""
    for first, last in stretches:
        sender.send(check_range_at(url, first, last))
    sender.close()
