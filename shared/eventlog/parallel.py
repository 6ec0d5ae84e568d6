"""Walking a large log in stretches, side by side: here and in worker processes.

Whoever is free takes the next stretch (a counter shared by all), so this process walks
from the first moment while the workers are still starting (a fresh interpreter takes about a
second to import the product), and a worker slowed by the rest of the machine holds up no one.
Each worker answers over its own pipe, written by it alone and read here alone: no feeder
threads (as a process pool has), so this also runs where eventlet has patched threads (tests
under nameko's pytest plugin). The caller links the stretches (``verify._link``).
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from typing import Any

from sqlalchemy.engine import Connection, Engine

from shared.eventlog.walk import RangeCheck, check_range
from shared.eventstore.database import create_database_engine

Progress = Callable[[int], None]
PARALLEL_FROM = 50_000  # entries: below this, starting processes costs more than it saves
STRETCH = 20_000  # entries: small enough that whoever is free next takes the next one


def stretches_of(last: int, workers: int | None, engine: Engine) -> list[tuple[int, int]]:
    count = workers if workers is not None else (os.cpu_count() or 1)
    in_memory = engine.dialect.name == "sqlite" and engine.url.database in (None, "", ":memory:")
    if count <= 1 or last < PARALLEL_FROM or in_memory:
        return [(1, last)]
    size = min(STRETCH, -(-last // (count * 2)))
    return [(first, min(first + size - 1, last)) for first in range(1, last + 1, size)]


def walk_apart(
    connection: Connection,
    stretches: list[tuple[int, int]],
    progress: Progress | None,
    workers: int | None = None,
) -> list[RangeCheck]:
    """Walk the stretches on ``connection`` and in ``workers - 1`` worker processes
    (default: one per core besides this one), and return their checks in order, up to the
    first stretch with a problem (no stretch after it is started once it is found)."""
    count = min(workers if workers is not None else (os.cpu_count() or 1), len(stretches))
    url = connection.engine.url.render_as_string(hide_password=False)
    context = multiprocessing.get_context("spawn")  # a fresh interpreter: no inherited state
    taken = context.Value("i", 0)  # the next stretch nobody has taken yet
    helpers = []
    for _ in range(count - 1):
        receiver, sender = context.Pipe(duplex=False)
        process = context.Process(
            target=_walk_stretches, args=(url, stretches, taken, sender), daemon=True
        )
        process.start()
        sender.close()
        helpers.append((process, receiver))
    checks: dict[int, RangeCheck] = {}
    try:
        while (index := _take(taken, len(stretches))) is not None:
            checks[index] = check = check_range(connection, *stretches[index])
            _stop_after(check, taken, len(stretches))
            _collect(helpers, checks, block=False)
            if progress is not None:
                progress(sum(check.checked for check in checks.values()))
        _collect(helpers, checks, block=True)
    finally:
        for process, receiver in helpers:
            receiver.close()
            process.terminate()
            process.join()
    return [checks[index] for index in sorted(checks)]


def _take(taken: Any, count: int) -> int | None:
    with taken.get_lock():
        index: int = taken.value
        if index >= count:
            return None
        taken.value = index + 1
        return index


def _stop_after(check: RangeCheck, taken: Any, count: int) -> None:
    """After a stretch with a problem, nobody starts another: the first problem is known."""
    if check.problem is not None:
        with taken.get_lock():
            taken.value = count


def _collect(helpers: list[tuple[Any, Any]], checks: dict[int, RangeCheck], block: bool) -> None:
    """Take the workers' answers: those waiting, or (``block``) all until each one is done."""
    for _, receiver in helpers:
        while not receiver.closed and (block or receiver.poll()):
            try:
                answer = receiver.recv()
            except EOFError:
                raise RuntimeError("a verify worker process stopped before it answered") from None
            if answer is None:
                receiver.close()
                break
            index, check = answer
            checks[index] = check


def _walk_stretches(url: str, stretches: list[tuple[int, int]], taken: Any, sender: Any) -> None:
    """A worker process: take stretches until none is left, sending each one's check."""
    engine = create_database_engine(url, reader=True)
    try:
        with engine.connect() as connection:
            while (index := _take(taken, len(stretches))) is not None:
                check = check_range(connection, *stretches[index])
                sender.send((index, check))
                _stop_after(check, taken, len(stretches))
    finally:
        engine.dispose()
    sender.send(None)
    sender.close()
