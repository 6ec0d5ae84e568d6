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

    .venv/bin/python bench/eventlog_append.py [--entries 1000000] [--stretch 100000]
                                              [--baseline-cache log|default]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--stretch", type=int, default=100_000)
    parser.add_argument("--baseline-cache", choices=("log", "default"), default="log")
    args = parser.parse_args()
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
