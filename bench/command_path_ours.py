"""Recruitment's registration command in-process, one side of bench/command_path.py.

Run by that bench as a subprocess with a source tree's code first on its path (the working
tree, or a baseline revision), so that it imports that tree's product. It reads one line per
round (``round count``) on stdin, registers ``count`` students through recruitment's handler
and unit of work on a SQLite file or a PostgreSQL database, and answers with a JSON line of
wall and CPU seconds.

    python bench/command_path_ours.py DATABASE SYNCHRONOUS [CLIENTS [group]]

DATABASE is a SQLite file, or a ``postgresql+psycopg2://`` URL (then SYNCHRONOUS is ignored:
the server's own settings hold, as for the peer). With CLIENTS above 1 the commands come from
that many green threads under eventlet, as a service's RPC workers send them, so that commands
arriving together can share a commit (group commit, with ``group`` and where the tree has it);
on PostgreSQL psycopg2 then cooperates with eventlet as in a service (psycogreen).
"""

from __future__ import annotations

import sys

CLIENTS = int(sys.argv[3]) if len(sys.argv) > 3 else 1
if CLIENTS > 1:
    import eventlet

    eventlet.monkey_patch()

import itertools  # noqa: E402 - after monkey_patch, as in a service process
import json  # noqa: E402
import os  # noqa: E402
import shutil  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from datetime import UTC, datetime, timedelta  # noqa: E402
from typing import Any  # noqa: E402

import sqlalchemy as sa  # noqa: E402
from sqlalchemy.orm import sessionmaker  # noqa: E402

from services.recruitment.adapters.indexes import ResidentIdIndex  # noqa: E402
from services.recruitment.domain.student import Student  # noqa: E402
from services.recruitment.handlers import HANDLERS  # noqa: E402
from shared.contracts.recruitment.commands import CreateCampaign, OpenCampaign, RegisterStudent  # noqa: E402
from shared.domain import Aggregate, CommandContext  # noqa: E402
from shared.eventstore.database import create_database_engine  # noqa: E402
from shared.eventstore.stream_cache import StreamCache  # noqa: E402
from shared.eventstore.uow import IndexKeeper, UnitOfWork  # noqa: E402
from shared.logging import configure_logging  # noqa: E402
from shared.lookup_digest import LookupDigest  # noqa: E402
from shared.migrations import upgrade_to_head  # noqa: E402
from shared.resident_id import check_character  # noqa: E402

CONTEXT = CommandContext(actor="operator:bench", correlation_id="bench")
KEEP_WAL = os.environ.get("GRAVITY_BENCH_KEEP_WAL")


def resident_id(seed: int) -> str:
    """A valid, distinct ID number for each seed below 336,000."""
    month, day, sequence = seed // 28 % 12 + 1, seed % 28 + 1, seed // 336 % 1000
    first = f"4101021990{month:02d}{day:02d}{sequence:03d}"
    return first + check_character(first)


def main() -> None:
    database, synchronous = sys.argv[1], sys.argv[2]
    configure_logging("bench", level="warning")  # a line per command would be measured too
    postgres = database.startswith("postgresql")
    url = database if postgres else f"sqlite:///{database}"
    upgrade_to_head(url, "services.recruitment.migrations")
    # A service's engine is green (shared/kit/service.py); alone, without eventlet, plain.
    engine = create_database_engine(url, green=postgres and CLIENTS > 1)

    if not postgres:

        @sa.event.listens_for(engine, "connect")
        def _same_settings_as_the_peer(dbapi_connection: Any, _record: Any) -> None:
            # After the product's own listener, so this one's synchronous setting wins.
            dbapi_connection.execute(f"PRAGMA synchronous={synchronous}")
            if KEEP_WAL:  # bench/command_path.py --pages: every frame stays in the log
                dbapi_connection.execute("PRAGMA wal_autocheckpoint=0")

    sessions = sessionmaker(engine)
    keepers: dict[type[Aggregate], IndexKeeper] = {
        Student: ResidentIdIndex(LookupDigest(b"bench-lookup-key" * 2))
    }
    cache = StreamCache()  # the service keeps one per process
    grouped = len(sys.argv) > 4 and sys.argv[4] == "group"
    # A tree from before ``one_by_one`` ran each command alone unless asked to group.
    one_by_one = getattr(HANDLERS, "one_by_one", lambda: HANDLERS)()
    handlers = HANDLERS.with_group_commit() if grouped else one_by_one

    def run(command: object) -> None:
        def unit_of_work(context: CommandContext) -> UnitOfWork:
            return UnitOfWork(sessions, "recruitment", context, keepers=keepers, stream_cache=cache)

        handlers.run(command, unit_of_work, CONTEXT)  # type: ignore[arg-type]

    campaign_id = str(uuid.uuid4())
    now = datetime.now(UTC)
    run(
        CreateCampaign(
            campaign_id=campaign_id,
            name="bench",
            year=now.year,
            season="summer",
            registration_opens_at=now - timedelta(days=1),
            registration_closes_at=now + timedelta(days=1),
            scope="bench",
            practice_content="bench",
        )
    )
    run(OpenCampaign(campaign_id=campaign_id))
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        first, count = (int(part) for part in line.split())
        seeds = iter(range(first, first + count))

        def client(seeds: Iterator[int] = seeds) -> None:
            for seed in seeds:
                run(
                    RegisterStudent(
                        student_id=str(uuid.uuid4()),
                        campaign_id=campaign_id,
                        name="欧阳明轩",
                        phone="13700001234",
                        id_number=resident_id(seed),
                        university="Henan University",
                        major="Law",
                        grade="junior",
                        hometown="Beiguan Town",
                        channel="organisation",
                    )
                )

        wall, cpu = time.perf_counter(), time.process_time()
        if CLIENTS > 1:
            pool = eventlet.GreenPool(CLIENTS)
            for _ in itertools.repeat(None, CLIENTS):
                pool.spawn(client)
            pool.waitall()
        else:
            client()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        print(json.dumps({"wall": wall, "cpu": cpu}), flush=True)
    if KEEP_WAL and not postgres:  # before the last connection closes and checkpoints it
        shutil.copyfile(f"{database}-wal", KEEP_WAL)
    engine.dispose()


if __name__ == "__main__":
    main()
