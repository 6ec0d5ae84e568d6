"""The gateway's live projection alone: the catch-up subscription following a log in small
batches into a fresh read-model store on SQLite or PostgreSQL, per revision, alternating.

``bench/replay.py --follow-batch`` times the subscription into a SQLite file only; this one
also takes a PostgreSQL store (a throw-away database on 127.0.0.1:5432 per round, dropped
afterwards), where each statement is a round trip, and prints, beside the follower's own CPU
per event, that of the PostgreSQL server process serving it. The log is ``bench/replay.py``'s
(campaigns of students registered, screened, withdrawn, joining the alliance; no sealed
fields, so no key requests: the suite's key traffic is not in these figures).

    .venv/bin/python bench/projection_follow.py --baseline REV [--against REV2]
        [--events 20000] [--batch 20] [--store sqlite|postgresql] [--rounds 2]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import replay
from bench.suite import source_tree

FOLLOW = r"""
import json, os, sys, time
from pathlib import Path
log_url, store_url, batch = sys.argv[1], sys.argv[2], int(sys.argv[3])
from gateway.core.projection import projection_of
from gateway.core.projector import Projector
from gateway.core.replay import fresh_store
from gateway.core.subscription import CatchUpSubscription
from gateway.sections import SECTIONS
from shared.eventlog.reader import EventLogReader
from shared.eventstore.database import create_database_engine
from shared.logging import configure_logging
configure_logging("bench", level="warning")  # as the gateway runs: its debug lines dropped
tables = [table for section in SECTIONS for table in section.tables]
reader = EventLogReader(create_database_engine(log_url, reader=True))
server = None
with fresh_store(store_url, tables) as store:
    if store.dialect.name == "postgresql":
        with store.connect() as connection:  # the pool keeps this one backend
            server = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
    def server_cpu():
        if server is None:
            return 0.0
        fields = Path(f"/proc/{server}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    follower = CatchUpSubscription(reader, Projector(store, projection_of(SECTIONS)),
                                   batch_size=batch)
    wall, cpu, db = time.perf_counter(), time.process_time(), server_cpu()
    events = 0
    while (applied := follower.catch_up_once()) > 0:
        events += applied
    found = {"events": events, "seconds": time.perf_counter() - wall,
             "cpu": time.process_time() - cpu, "server_cpu": server_cpu() - db}
print(json.dumps(found))
"""


@contextlib.contextmanager
def store(kind: str, folder: Path, label: str) -> Iterator[str]:
    if kind == "postgresql":
        with replay.postgres_database() as url:
            yield url
        return
    path = folder / f"store-{label}.db"
    yield f"sqlite:///{path}"
    for leftover in folder.glob(f"store-{label}.db*"):
        leftover.unlink()


def follow(tree: Path, log_url: str, store_url: str, batch: int) -> dict[str, float]:
    environ = dict(os.environ, PYTHONPATH=str(tree), GRAVITY_LOG_LEVEL="warning")
    done = subprocess.run(
        [sys.executable, "-c", FOLLOW, log_url, store_url, str(batch)],
        env=environ,
        cwd=tree,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"{tree} failed:\n{done.stderr[-3000:]}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", required=True, help="a git revision to compare with")
    parser.add_argument("--against", help="the revision to measure (default: the working tree)")
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=20, help="entries per batch")
    parser.add_argument("--store", choices=("sqlite", "postgresql"), default="postgresql")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    with contextlib.ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        log_path = folder / "log.db"
        replay.build_log(log_path, args.events)
        trees = {
            "old": stack.enter_context(source_tree(args.baseline)),
            "new": stack.enter_context(source_tree(args.against)),
        }
        print(
            f"{args.events} events, {args.batch} per batch, store on {args.store};"
            f" old = {trees['old'].label}, new = {trees['new'].label}"
        )
        print("round side   events/s   CPU µs/event   server CPU µs/event")
        for round_ in range(args.rounds):
            order = ("old", "new") if round_ % 2 == 0 else ("new", "old")
            for side in order:
                with store(args.store, folder, side) as url:
                    found = follow(trees[side].path, f"sqlite:///{log_path}", url, args.batch)
                per = 1e6 / max(1, found["events"])
                print(
                    f"{round_ + 1:>5} {side:<4} {found['events'] / found['seconds']:>10,.0f}"
                    f" {found['cpu'] * per:>14.1f} {found['server_cpu'] * per:>21.1f}"
                )


if __name__ == "__main__":
    main()
