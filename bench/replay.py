"""``gravity audit replay`` at scale: events/s, CPU and peak memory, beside a baseline revision.

Builds a fresh SQLite event log of ``--events`` recruitment events (campaigns of 1,000
students: each registered, screened, a tenth withdrawn and a fifth joining the alliance; the
rows written straight into ``event_log``: replay reads positions and envelopes, it does not
check the chain), projects them once into a "live" read-model store, and then runs the whole
``replay_read_models`` (rebuild into a temporary SQLite file and compare with live) of each
revision in a process of its own, alternating, so that each figure has a baseline from the
same run:

- ``current``: the working tree;
- each ``--baseline COMMIT`` (repeatable; default: the commit before batched replay): a git
  worktree of it.

``--gateway-db postgresql`` keeps the live read models on PostgreSQL (a throw-away database
on 127.0.0.1) instead of SQLite. Each process prints its events/s, CPU seconds, CPU per
event and peak RSS (from ``getrusage``), beside its peak once the product is imported (what
the data adds is the difference).

    .venv/bin/python bench/replay.py [--events 200000] [--rounds 1] [--gateway-db postgresql]
        [--baseline COMMIT ...] [--follow-batch 50] [--no-baseline]

``--follow-batch N`` also times the gateway's catch-up subscription applying the whole log N
entries per batch into a fresh store (the live projection's CPU per event), per revision.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BASELINE = "971e8da"  # the last commit before batched replay and the streamed comparison
STUDENTS_PER_CAMPAIGN = 1000

# Runs inside the measured revision: argv = tree, mode, log URL, live URL, data dir, batch.
MEASURE = r"""
import json, os, resource, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
mode, log_url, live_url, data_dir = sys.argv[2:6]
FOLLOW_BATCH = int(sys.argv[6])
from shared.config import load_settings
try:  # the read models alone, as `gravity audit replay` imports them (not the routes)
    from gateway.readmodels import READ_MODELS as SECTIONS
    from gateway.core.projection import projection_of
except ImportError:  # a revision from before that
    from gateway.sections import SECTIONS
    from gateway.core.bootstrap import projection_of
from gateway.core import replay, projector
imports_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
settings = load_settings(environ={}, overrides={
    "data_dir": data_dir, "databases": {"gateway": live_url, "eventlog": log_url}})
wall, cpu = time.perf_counter(), time.process_time()
if mode == "replay":
    from gateway.core.replay import replay_read_models
    report = replay_read_models(settings, SECTIONS, progress=False)
    found = {"events": report.events, "equal": report.equal,
             "differences": report.differences[:3]}
elif mode == "follow":
    # The gateway's catch-up subscription, in the small batches of a live follower.
    from gateway.core.projector import Projector
    from gateway.core.replay import fresh_store
    from gateway.core.subscription import CatchUpSubscription
    from shared.eventlog.reader import EventLogReader
    from shared.eventstore.database import create_database_engine
    tables = [table for section in SECTIONS for table in section.tables]
    reader = EventLogReader(create_database_engine(log_url, reader=True))
    # A store of its own file, not a temporary one: the gateway's store waits for the disk.
    target = Path(data_dir) / f"follow-{os.getpid()}.db"
    with fresh_store(f"sqlite:///{target}", tables) as store:
        follower = CatchUpSubscription(
            reader, Projector(store, projection_of(SECTIONS)), batch_size=FOLLOW_BATCH)
        events = follower.catch_up()
    for leftover in Path(data_dir).glob(f"follow-{os.getpid()}.db*"):
        leftover.unlink()
    found = {"events": events, "equal": True, "differences": []}
else:
    from gateway.core.projector import Projector
    from gateway.core.replay import fresh_store, rebuild
    from shared.eventlog.reader import EventLogReader
    from shared.eventstore.database import create_database_engine
    tables = [table for section in SECTIONS for table in section.tables]
    log = create_database_engine(log_url, reader=True)
    reader = EventLogReader(log)
    with fresh_store(live_url, tables) as store:
        events = rebuild(reader, Projector(store, projection_of(SECTIONS)), reader.head(), False)
    found = {"events": events, "equal": True, "differences": []}
found["seconds"] = time.perf_counter() - wall
found["cpu"] = time.process_time() - cpu
found["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
found["imports_mb"] = imports_mb
print(json.dumps(found))
"""


def envelopes() -> Iterator[dict[str, object]]:
    """``event_log`` rows without position and hashes: campaigns of students, in log order."""
    from shared.eventlog.chain import envelope_columns
    from shared.events.envelope import Envelope

    def event(n: int, kind: str, stream: str, version: int, payload: dict[str, object]):
        return envelope_columns(
            Envelope(
                event_type=kind,
                schema_version=1,
                stream_id=stream,
                stream_version=version,
                producer="recruitment",
                actor="operator:bench",
                correlation_id=f"bench-{n}",
                payload=payload,
            )
        )

    n = 0
    while True:
        campaign = str(uuid.UUID(int=n + 1))
        plan = {
            "campaign_id": campaign,
            "name": "Gravity Plan summer",
            "year": 2023,
            "season": "summer",
            "registration_opens_at": "2023-05-01T00:00:00.000000Z",
            "registration_closes_at": "2023-06-30T00:00:00.000000Z",
            "scope": "home-district university students",
            "practice_content": "host units and summer classrooms",
        }
        yield event(n, "CampaignCreated", f"campaign-{campaign}", 1, plan)
        yield event(n, "CampaignOpened", f"campaign-{campaign}", 2, {"campaign_id": campaign})
        n += 2
        students = [str(uuid.UUID(int=n + i + 1)) for i in range(STUDENTS_PER_CAMPAIGN)]
        for i, student in enumerate(students):
            yield event(
                n + i,
                "StudentRegistered",
                f"student-{student}",
                1,
                {
                    "student_id": student,
                    "campaign_id": campaign,
                    "name": "孙悦",
                    "phone": "13912345678",
                    "id_number": f"41010220030515{i % 1000:03d}X",
                    "university": "Henan University",
                    "major": "Law",
                    "grade": "junior",
                    "hometown": "Beiguan Town",
                    "channel": "organisation",
                },
            )
        for i, student in enumerate(students):
            ids = {"student_id": student, "campaign_id": campaign}
            decision = {"decision": "approved", "reason": "meets the criteria (通过)"}
            yield event(n + i, "StudentScreened", f"student-{student}", 2, ids | decision)
            if i % 10 == 0:
                withdrew = ids | {"reason": "summer job"}
                yield event(n + i, "StudentWithdrew", f"student-{student}", 3, withdrew)
            elif i % 5 == 0:
                yield event(n + i, "AllianceJoined", f"student-{student}", 3, ids)
        n += STUDENTS_PER_CAMPAIGN


def build_log(path: Path, count: int) -> None:
    """A migrated SQLite event log holding ``count`` entries."""
    from shared.migrations import upgrade_to_head

    upgrade_to_head(f"sqlite:///{path}", "shared.eventlog.migrations")
    connection = sqlite3.connect(path)
    columns: list[str] | None = None
    rows: list[tuple[object, ...]] = []
    for position, values in zip(range(1, count + 1), envelopes(), strict=False):
        row = values | {
            "position": position,
            "recorded_at": "2023-07-01T08:00:00.000000Z",
            "prev_hash": "0" * 64,
            "hash": f"{position:064x}",
        }
        columns = columns or list(row)
        rows.append(tuple(row[name] for name in columns))
        if len(rows) == 10_000:
            _insert(connection, columns, rows)
    if columns:
        _insert(connection, columns, rows)
    connection.execute("UPDATE log_head SET position = ?, hash = ?", (count, f"{count:064x}"))
    connection.commit()
    connection.close()


def _insert(connection: sqlite3.Connection, columns: list[str], rows: list[tuple[object, ...]]):
    marks = ", ".join("?" for _ in columns)
    names = ", ".join(f'"{name}"' for name in columns)
    connection.executemany(f"INSERT INTO event_log ({names}) VALUES ({marks})", rows)
    rows.clear()


@contextlib.contextmanager
def worktree(commit: str) -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="gravity-replay-baseline-"))
    subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "add", "--detach", "-f", str(folder), commit],
        check=True,
        capture_output=True,
    )
    try:
        yield folder
    finally:
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(folder)],
            check=False,
            capture_output=True,
        )


@contextlib.contextmanager
def postgres_database() -> Iterator[str]:
    import sqlalchemy as sa

    name = f"gravity_bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(
        "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres", isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"postgresql+psycopg2://postgres@127.0.0.1:5432/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


def measure(
    tree: Path, mode: str, log_url: str, live_url: str, data_dir: Path, batch: int = 50
) -> dict:
    environ = dict(os.environ, PYTHONPATH=str(tree), GRAVITY_LOG_LEVEL="warning")
    command = [MEASURE, str(tree), mode, log_url, live_url, str(data_dir), str(batch)]
    done = subprocess.run(
        [sys.executable, "-c", *command],
        env=environ,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"{tree} {mode} failed:\n{done.stderr[-3000:]}")
    result: dict = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def line(label: str, found: dict) -> str:
    rate = found["events"] / found["seconds"]
    per_event = found["cpu"] / max(1, found["events"]) * 1e6
    equal = "equal" if found["equal"] else f"DIFFER {found['differences']}"
    return (
        f"{label:<22}{found['events']:>10,}{rate:>12,.0f}{found['cpu']:>9.1f}"
        f"{per_event:>10.1f}{found['peak_mb']:>10.0f}{found['imports_mb']:>12.0f}  {equal}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument(
        "--baseline",
        action="append",
        help=f"git commit of a baseline (repeat for several; default {BASELINE})",
    )
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--gateway-db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument(
        "--follow-batch", type=int, default=0, help="also time the catch-up subscription"
    )
    args = parser.parse_args()
    with contextlib.ExitStack() as stack:
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="gravity-replay-")))
        build_log(work / "eventlog.db", args.events)
        log_url = f"sqlite:///{work / 'eventlog.db'}"
        if args.gateway_db == "postgresql":
            live_url = stack.enter_context(postgres_database())
        else:
            live_url = f"sqlite:///{work / 'gateway.db'}"
        trees = {"current": ROOT}
        if not args.no_baseline:
            for commit in args.baseline or [BASELINE]:
                trees[commit] = stack.enter_context(worktree(commit))
        print(f"{args.events:,} events; live read models on {args.gateway_db}")
        print(line("live projection", measure(ROOT, "project", log_url, live_url, work)))
        print(
            f"{'replay + compare':<22}{'events':>10}{'events/s':>12}{'CPU s':>9}"
            f"{'CPU µs/ev':>10}{'peak MB':>10}{'imports MB':>12}"
        )
        for round_ in range(1, args.rounds + 1):
            for name, tree in trees.items():
                found = measure(tree, "replay", log_url, live_url, work)
                print(line(f"{name} (round {round_})", found), flush=True)
        if args.follow_batch:
            print(
                f"catch-up subscription, {args.follow_batch} entries per batch (the gateway's "
                "live projection)"
            )
            for round_ in range(1, args.rounds + 1):
                for name, tree in trees.items():
                    found = measure(tree, "follow", log_url, live_url, work, args.follow_batch)
                    print(line(f"{name} (round {round_})", found), flush=True)


if __name__ == "__main__":
    main()
