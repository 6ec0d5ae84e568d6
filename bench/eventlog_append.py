"""The event log's append rate, stretch by stretch, as the log grows: flat or falling?

Builds two fresh SQLite logs side by side with the product's appender (batches of 1,000
unsigned registrations-sized events, random event and stream ids as in life), alternating
stretch by stretch so that both see the same machine load:

- ``log writer``: the engine the event-log process uses (``log_engine``: ``LOG_CACHE_MIB`` of
  page cache and memory map per connection, a checkpoint every ``LOG_CHECKPOINT_PAGES``);
- ``baseline``: the engine before the checkpoint interval (the same page cache, SQLite's
  default checkpoint every 1,000 pages); ``--baseline-cache default`` gives it SQLite's default
  2 MiB page cache too.

Prints entries/s and CPU µs per entry for each stretch (default 100,000 entries).

With ``--database postgresql`` it builds one log with the writer's engine in a throw-away
PostgreSQL database on 127.0.0.1:5432 (dropped afterwards) and prints, beside this process's
CPU, the CPU of the server process serving it (bench/postgres_suite.py's ``ServerCpu``).

    .venv/bin/python bench/eventlog_append.py [--entries 1000000] [--stretch 100000]
                                              [--baseline-cache log|default]
                                              [--database sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa

from bench.postgres_suite import SERVER, ServerCpu
from shared.eventlog.appender import EventLogAppender
from shared.eventlog.process import LOG_CACHE_MIB, LOG_CHECKPOINT_PAGES, MIGRATIONS, log_engine
from shared.events.envelope import Envelope
from shared.eventstore.database import create_database_engine
from shared.migrations import upgrade_to_head

BATCH = 1000


def envelope(n: int) -> Envelope:
    student = str(uuid.uuid4())
    return Envelope(
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


def stretch(appender: EventLogAppender, first: int, count: int) -> tuple[float, float]:
    """Append ``count`` entries; (wall seconds, CPU seconds) of the appends alone."""
    wall = cpu = 0.0
    for start in range(first, first + count, BATCH):
        batch = [envelope(n) for n in range(start, min(start + BATCH, first + count))]
        began, began_cpu = time.perf_counter(), time.process_time()
        appender.append_batch(batch)
        wall += time.perf_counter() - began
        cpu += time.process_time() - began_cpu
    return wall, cpu


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
            wall, cpu = stretch(appender, first, count)
            spent = ServerCpu.spent(before, server.read())
            print(
                f"{first + 1:>9,}-{first + count:<10,}{count / wall:>12,.0f}"
                f"{cpu / count * 1e6:>9.0f}{spent / count * 1e6:>11.0f}",
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
    parser.add_argument("--baseline-cache", choices=("log", "default"), default="log")
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    args = parser.parse_args()
    if args.database == "postgresql":
        on_postgresql(args.entries, args.stretch)
        return
    cache = LOG_CACHE_MIB if args.baseline_cache == "log" else None
    with tempfile.TemporaryDirectory(prefix="gravity-append-") as folder:
        appenders = {}
        for name in ("log writer", "baseline"):
            url = f"sqlite:///{Path(folder) / (name.replace(' ', '_') + '.db')}"
            upgrade_to_head(url, MIGRATIONS)
            engine = (
                log_engine(url)
                if name == "log writer"
                else create_database_engine(url, cache_mib=cache)
            )
            appenders[name] = EventLogAppender(engine)
        print(
            f"{args.entries:,} entries; log writer: {LOG_CACHE_MIB} MiB page cache, checkpoint"
            f" every {LOG_CHECKPOINT_PAGES:,} pages; baseline:"
            f" {f'{cache} MiB' if cache else 'the default'} page cache, checkpoint every 1,000"
        )
        print(
            f"{'entries':>20}" + "".join(f"{name + ' /s':>16}{'CPU µs':>9}" for name in appenders)
        )
        for first in range(0, args.entries, args.stretch):
            count = min(args.stretch, args.entries - first)
            cells = []
            for appender in appenders.values():
                wall, cpu = stretch(appender, first, count)
                cells.append(f"{count / wall:>16,.0f}{cpu / count * 1e6:>9.0f}")
            print(f"{first + 1:>9,}-{first + count:<10,}" + "".join(cells), flush=True)


if __name__ == "__main__":
    main()
