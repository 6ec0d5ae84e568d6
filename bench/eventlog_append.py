"""The event log's append rate, stretch by stretch, as the log grows: flat or falling?

Builds SQLite logs side by side with the product's appender and the log writer's engine
(``log_engine``), in batches of 1,000 unsigned registrations-sized events, each on a stream of
its own with a random id (``student-<uuid4>``: aggregate ids are random, as in life),
the sides taking turns every 10,000 entries so that every side sees the same machine load:

- ``now``: the newest layout (SQLite's stream index kept per block of positions, revision
  0006) and event ids as the product makes them (``Envelope``'s default: time-ordered, UUID
  version 7);
- ``before``: the layout of revision 0005 (a plain index on the stream id) with random event
  ids (UUID version 4), as producers made them before;
- with ``--random-ids``, also ``now, v4 ids``: the newest layout with random event ids (events
  of producers not upgraded yet, or logs of events made before);
- ``control``: at each turn, 10,000 entries into a new empty log of the newest layout: the same
  work all along, so its CPU per entry shows how the machine's speed drifted (other work on
  shared cores slows every side alike). "the same / control" is a side's last/first CPU
  divided by the control's.

Prints, for each stretch (default 100,000 entries), entries/s, this process's CPU µs per entry
and the KiB it wrote per entry (``wchar``: the write-ahead log and the checkpoints' copies),
and the last stretch's CPU against the first's.

With ``--database postgresql`` it builds one log with the writer's engine in a throw-away
PostgreSQL database on 127.0.0.1:5432 (dropped afterwards) and prints, beside this process's
CPU, the CPU of the server process serving it (bench/postgres_suite.py's ``ServerCpu``).

    .venv/bin/python bench/eventlog_append.py [--entries 1000000] [--stretch 100000]
                                              [--random-ids] [--database sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa

from bench.postgres_suite import SERVER, ServerCpu
from shared.eventlog.appender import EventLogAppender
from shared.eventlog.process import MIGRATIONS, log_engine
from shared.events.envelope import Envelope
from shared.migrations import migrate_to, upgrade_to_head

BATCH = 1000
ROUND = 10_000  # entries each side appends before the next side's turn
CONTROL = "control"
BEFORE = "0005"  # the layout before the stream index was kept per block


def product_id() -> str | None:
    return None  # Envelope's default: the id the product makes


def random_id() -> str | None:
    return str(uuid.uuid4())


IdMaker = Callable[[], "str | None"]


def envelope(n: int, make_id: IdMaker = product_id) -> Envelope:
    student = str(uuid.uuid4())
    made = Envelope(
        event_type="StudentScreened",
        schema_version=1,
        stream_id=f"student-{student}",
        stream_version=2,
        producer="recruitment",
        actor="operator:bench",
        correlation_id=f"bench-{n}",
        payload={
            "student_id": student,
            "campaign_id": "6f1c1f0e-8d0b-4a4e-9a43-4c1f7f0c2a11",
            "decision": "approved",
            "reason": "meets the programme criteria (通过)",
        },
    )
    event_id = make_id()
    return made if event_id is None else replace(made, event_id=event_id)


def written() -> int:
    """Bytes this process has handed to ``write()`` so far (/proc/self/io's ``wchar``): the
    write-ahead log's pages and the checkpoints' copies into the database file."""
    for line in Path("/proc/self/io").read_text().splitlines():
        if line.startswith("wchar:"):
            return int(line.split()[1])
    raise RuntimeError("no wchar in /proc/self/io")


@dataclass
class Tally:
    """What appending a stretch cost: wall and CPU seconds, bytes written."""

    wall: float = 0.0
    cpu: float = 0.0
    wrote: int = 0


def stretch(
    appender: EventLogAppender,
    first: int,
    count: int,
    make_id: IdMaker = product_id,
    tally: Tally | None = None,
) -> Tally:
    """Append ``count`` entries, adding what the appends alone cost to ``tally``."""
    tally = Tally() if tally is None else tally
    for start in range(first, first + count, BATCH):
        batch = [envelope(n, make_id) for n in range(start, min(start + BATCH, first + count))]
        began, began_cpu, began_written = time.perf_counter(), time.process_time(), written()
        appender.append_batch(batch)
        tally.wall += time.perf_counter() - began
        tally.cpu += time.process_time() - began_cpu
        tally.wrote += written() - began_written
    return tally


def on_postgresql(entries: int, size: int) -> None:
    """One log with the writer's engine in a throw-away PostgreSQL database, stretch by
    stretch, with the server's CPU beside this process's."""
    name = f"gravity_bench_append_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(f"{SERVER}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        url = f"{SERVER}/{name}"
        upgrade_to_head(url, MIGRATIONS)
        engine = log_engine(url)
        appender = EventLogAppender(engine)
        appender.append_batch([envelope(-1)])  # the pool's connection exists before a reading
        server = ServerCpu({"eventlog": url})
        print(f"{entries:,} entries on PostgreSQL")
        print(f"{'entries':>20}{'entries/s':>12}{'CPU µs':>9}{'server µs':>11}")
        for first in range(0, entries, size):
            count = min(size, entries - first)
            before = server.read()
            took = stretch(appender, first, count)
            spent = ServerCpu.spent(before, server.read())
            print(
                f"{first + 1:>9,}-{first + count:<10,}{count / took.wall:>12,.0f}"
                f"{took.cpu / count * 1e6:>9.0f}{spent / count * 1e6:>11.0f}",
                flush=True,
            )
        engine.dispose()
    finally:
        with admin.connect() as connection, contextlib.suppress(sa.exc.DBAPIError):
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--stretch", type=int, default=100_000)
    parser.add_argument("--random-ids", action="store_true")
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    args = parser.parse_args()
    if args.database == "postgresql":
        on_postgresql(args.entries, args.stretch)
        return
    sides: dict[str, tuple[str, IdMaker]] = {"now": ("head", product_id)}
    sides["before"] = (BEFORE, random_id)
    if args.random_ids:
        sides["now, v4 ids"] = ("head", random_id)
    with tempfile.TemporaryDirectory(prefix="gravity-append-") as folder:
        appenders = {}
        for number, (name, (revision, _)) in enumerate(sides.items()):
            url = f"sqlite:///{Path(folder) / f'side{number}.db'}"
            migrate_to(url, MIGRATIONS, revision)
            appenders[name] = EventLogAppender(log_engine(url))
        print(
            f"{args.entries:,} entries in batches of {BATCH:,}, the writer's engine on every"
            f" side, taking turns every {ROUND:,} entries; KiB: written per entry; {CONTROL}:"
            f" each turn {ROUND:,} entries into a new empty log (the machine's speed)"
        )
        names = [*sides, CONTROL]
        print(
            f"{'entries':>20}"
            + "".join(f"{name + ' /s':>17}{'CPU µs':>8}{'KiB':>6}" for name in names)
            + f"{'load':>6}"
        )
        cpu: dict[str, list[float]] = {name: [] for name in names}
        for first in range(0, args.entries, args.stretch):
            count = min(args.stretch, args.entries - first)
            tallies = {name: Tally() for name in names}
            for start in range(first, first + count, ROUND):
                size = min(ROUND, first + count - start)
                for name, (_, make_id) in sides.items():
                    stretch(appenders[name], start, size, make_id, tallies[name])
                fresh_turn(Path(folder), size, tallies[CONTROL])
            cells = []
            for name, tally in tallies.items():
                cpu[name].append(tally.cpu / count * 1e6)
                cells.append(
                    f"{count / tally.wall:>17,.0f}{cpu[name][-1]:>8.1f}"
                    f"{tally.wrote / count / 1024:>6.1f}"
                )
            load = os.getloadavg()[0]
            print(f"{first + 1:>9,}-{first + count:<10,}" + "".join(cells) + f"{load:>6.1f}")
            sys.stdout.flush()
        print(
            f"{'last / first CPU':>20}"
            + "".join(f"{'':>17}{cpu[name][-1] / cpu[name][0]:>8.2f}{'':>6}" for name in names)
        )
        control = cpu[CONTROL]
        print(
            f"{'the same / control':>20}"
            + "".join(
                f"{'':>17}{(cpu[name][-1] / control[-1]) / (cpu[name][0] / control[0]):>8.2f}"
                f"{'':>6}"
                for name in sides
            )
        )


def fresh_turn(folder: Path, count: int, tally: Tally) -> None:
    """The control: ``count`` entries into a new, empty log of the newest layout."""
    path = folder / "control.db"
    url = f"sqlite:///{path}"
    migrate_to(url, MIGRATIONS, "head")
    engine = log_engine(url)
    try:
        stretch(EventLogAppender(engine), 0, count, product_id, tally)
    finally:
        engine.dispose()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


if __name__ == "__main__":
    main()
