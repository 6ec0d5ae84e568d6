"""A consumer catching up on a backlog: placement's commands for consumed events, one
transaction per event against group commit (``group_events``), in one run.

Placement takes each approving ``StudentScreened`` as an ``AdmitCandidate`` command with an
inbox claim. Here a backlog of them (as after placement was down while students were screened) goes
through placement's handler table from ``--workers`` green threads (nameko's default of 10
workers per consumer), on a SQLite file with the product's settings, or on a throw-away
PostgreSQL database: once through a table that commits each event alone, once through
placement's own table, alternating round by round, each side on a database of its own. Each
round prints events/s and the CPU per event of this process (the only one doing the work;
with PostgreSQL, the server's too). No broker: this is the consumer's own side.

    .venv/bin/python bench/consumed_events.py [--events 3000] [--rounds 3] [--workers 10]
                                              [--database sqlite|postgresql]
"""

from __future__ import annotations

import warnings

with warnings.catch_warnings():  # eventlet's notice that it is in bugfix mode
    warnings.simplefilter("ignore")
    import eventlet

eventlet.monkey_patch()

import argparse  # noqa: E402 - after monkey_patch, as in a service process
import contextlib  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402
from sqlalchemy.orm import sessionmaker  # noqa: E402

from bench.postgres_suite import ServerCpu  # noqa: E402
from bench.support import POSTGRES, throwaway_databases  # noqa: E402
from services.placement.adapters.indexes import KEEPERS  # noqa: E402
from services.placement.handlers import HANDLERS as GROUPED  # noqa: E402
from shared.contracts.placement.commands import AdmitCandidate  # noqa: E402
from shared.domain import CommandContext  # noqa: E402
from shared.eventstore.database import create_database_engine  # noqa: E402
from shared.eventstore.stream_cache import StreamCache  # noqa: E402
from shared.eventstore.tables import inbox  # noqa: E402
from shared.eventstore.uow import UnitOfWork  # noqa: E402
from shared.kit.handlers import CommandHandlers, InboxClaim  # noqa: E402
from shared.logging import configure_logging  # noqa: E402
from shared.migrations import upgrade_to_head  # noqa: E402

CONSUMER = "placement.on_student_screened"
CAMPAIGN = str(uuid.uuid4())
SIDES: dict[str, CommandHandlers] = {"one by one": GROUPED.one_by_one(), "grouped": GROUPED}


class Consumer:
    """Placement's handler table on a database of its own, as the service runs it."""

    def __init__(self, url: str, handlers: CommandHandlers) -> None:
        upgrade_to_head(url, "services.placement.migrations")
        self.url = url
        self.engine = create_database_engine(url, green=True)
        self.sessions = sessionmaker(self.engine)
        self.cache = StreamCache()
        self.handlers = handlers

    def unit_of_work(self, context: CommandContext) -> UnitOfWork:
        return UnitOfWork(
            self.sessions, "placement", context, keepers=KEEPERS, stream_cache=self.cache
        )

    def consume(self, event_id: str) -> None:
        context = CommandContext("event:recruitment", event_id, causation_id=event_id)
        command = AdmitCandidate(student_id=str(uuid.uuid4()), campaign_id=CAMPAIGN)
        claim = InboxClaim(CONSUMER, event_id)
        self.handlers.run(command, self.unit_of_work, context, claim)

    def claims(self) -> int:
        with self.engine.connect() as connection:
            return int(connection.execute(sa.select(sa.func.count()).select_from(inbox)).scalar())

    def backlog(self, events: int, workers: int) -> tuple[float, float, float]:
        """Consume ``events`` new events from ``workers`` green threads: wall seconds, this
        process's CPU seconds, the database server's CPU seconds (0 on SQLite)."""
        ids = [str(uuid.uuid4()) for _ in range(events)]
        server = ServerCpu({"placement": self.url}) if self.url.startswith("postgresql") else None
        before = server.read() if server else {}
        wall, cpu = time.perf_counter(), time.process_time()
        pool = eventlet.GreenPool(workers)
        for _ in pool.imap(self.consume, ids):
            pass
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        return wall, cpu, ServerCpu.spent(before, server.read()) if server else 0.0


@contextlib.contextmanager
def databases(kind: str) -> Iterator[dict[str, str]]:
    if kind == "postgresql":
        with throwaway_databases(len(SIDES), "gravity_bench_consumed") as names:
            yield {side: f"{POSTGRES}/{name}" for side, name in zip(SIDES, names, strict=True)}
        return
    with tempfile.TemporaryDirectory(prefix="gravity-consumed-") as folder:
        yield {side: f"sqlite:///{folder}/{n}.db" for n, side in enumerate(SIDES)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=3000, help="events per side per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=10, help="green threads, as nameko's")
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    options = parser.parse_args()
    configure_logging("bench", level="warning")  # a line per event would be measured too
    with databases(options.database) as urls:
        consumers = {side: Consumer(urls[side], SIDES[side]) for side in SIDES}
        for consumer in consumers.values():
            consumer.backlog(50, options.workers)  # warm: connections, statements, caches
        figures: dict[str, list[tuple[float, float, float]]] = {side: [] for side in SIDES}
        order = list(SIDES)
        for number in range(1, options.rounds + 1):
            ratios: list[str] = []
            for side in order:
                wall, cpu, server = consumers[side].backlog(options.events, options.workers)
                figures[side].append((wall, cpu, server))
                print(
                    f"round {number}, {side:>10}: {options.events / wall:8.0f} events/s, "
                    f"{cpu / options.events * 1000:.3f} CPU ms/event"
                    + (f" + server {server / options.events * 1000:.3f}" if server else ""),
                    flush=True,
                )
            one, grouped = (figures[side][-1] for side in SIDES)
            ratios.append(f"grouped / one by one: {one[0] / grouped[0]:.2f}x the rate")
            ratios.append(f"{grouped[1] / one[1]:.2f}x the CPU per event")
            print(f"round {number}: " + ", ".join(ratios), flush=True)
            order.reverse()
        print(
            f"\n{options.database}, {options.events} events per side per round, "
            f"{options.workers} workers, {options.rounds} rounds"
        )
        print(f"{'side':>10}  events/s  CPU ms/event  server ms/event")
        for side in SIDES:
            walls, cpus, servers = zip(*figures[side], strict=True)
            total = options.events * len(walls)
            print(
                f"{side:>10}  {total / sum(walls):8.0f}  {sum(cpus) / total * 1000:12.3f}"
                f"  {sum(servers) / total * 1000:15.3f}"
            )
        for side, consumer in consumers.items():
            expected = (options.rounds * options.events) + 50
            if consumer.claims() != expected:
                raise SystemExit(f"{side}: {consumer.claims()} claims, not {expected}")
            consumer.engine.dispose()
        print(f"each side claimed every event once ({expected} in all)")


if __name__ == "__main__":
    main()
