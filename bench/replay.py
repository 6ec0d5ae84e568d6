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
event and peak RSS (``VmHWM``, the process's own: ``getrusage`` also counted the bench
process it was started from), beside its peak once the product is imported (what the data
adds is the difference).

    .venv/bin/python bench/replay.py [--events 200000] [--rounds 1] [--gateway-db postgresql]
        [--baseline COMMIT ...] [--follow-batch 50] [--no-baseline] [--sealed]

``--follow-batch N`` also times the gateway's catch-up subscription applying the whole log N
entries per batch into a fresh store (the live projection's CPU per event), per revision.

``--sealed`` builds the log as production does: each registration's name, phone and ID number
sealed with the student's data keys (one per field class, ``shared.privacy.payloads``), the
keys in the live store's key table wrapped by the gateway's master key (where ``gravity audit
replay`` finds them), and one student in a hundred erased (``SubjectErased``: the whole subject
or the ID number alone, alternately), so that the live projection destroys their keys and the
rebuild reads their fields ``[erased]``.
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
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BASELINE = "971e8da"  # the last commit before batched replay and the streamed comparison
STUDENTS_PER_CAMPAIGN = 1000
ERASED_EVERY = 100  # with --sealed: one student in this many is erased

# Runs inside the measured revision: argv = tree, mode, log URL, live URL, data dir, batch,
# "sealed" or "plain".
MEASURE = r"""
import json, os, resource, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])


def peak_mb():
    # The process's own high-water mark: getrusage's ru_maxrss also counts the bench process
    # this one was started from (Linux carries it across fork and exec).
    try:
        with open("/proc/self/status") as status:
            return next(int(l.split()[1]) for l in status if l.startswith("VmHWM")) / 1024
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


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
SEALED = sys.argv[7] == "sealed"
imports_mb = peak_mb()
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
    keys = None
    if SEALED:  # the live store's keys, read only (the project step destroyed the erased)
        from gateway.core.privacy import gateway_keys
        keys = gateway_keys(settings, create_database_engine(live_url), live=False)
    # A store of its own file, not a temporary one: the gateway's store waits for the disk.
    target = Path(data_dir) / f"follow-{os.getpid()}.db"
    with fresh_store(f"sqlite:///{target}", tables) as store:
        follower = CatchUpSubscription(
            reader, Projector(store, projection_of(SECTIONS), keys), batch_size=FOLLOW_BATCH)
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
        keys = None
        if SEALED:  # as the gateway does: its own keys, the erased subjects' destroyed
            from gateway.core.privacy import GATEWAY, ReadModelKeys
            from shared.privacy.keystore import KeyStore
            from shared.privacy.master_key import component_master_key
            master = component_master_key(settings, GATEWAY)
            keys = ReadModelKeys(store, KeyStore(GATEWAY, master), None)
        projected = Projector(store, projection_of(SECTIONS), keys)
        events = rebuild(reader, projected, reader.head(), False)
    found = {"events": events, "equal": True, "differences": []}
found["seconds"] = time.perf_counter() - wall
found["cpu"] = time.process_time() - cpu
found["peak_mb"] = peak_mb()
found["imports_mb"] = imports_mb
print(json.dumps(found))
"""


class StudentKeys:
    """``seal_envelope``'s ``key_for`` for the bench's students: three new data keys per
    student (one per field class, as a registration makes them), kept in ``made`` for the key
    store (``store_keys``)."""

    def __init__(self) -> None:
        self.made: list[tuple[str, str, str, bytes]] = []  # subject, class, key id, key

    def __call__(self, subject_id: str, new: bool) -> Any:  # noqa: ARG002 - every one is new
        return _NewKeys(self.made, subject_id)


class _NewKeys:
    def __init__(self, made: list[tuple[str, str, str, bytes]], subject_id: str) -> None:
        self.made, self.subject_id = made, subject_id

    def of_classes(self, classes: Iterable[str]) -> dict[str, tuple[str, bytes]]:
        found = {}
        for kind in classes:
            key_id, key = os.urandom(16).hex(), os.urandom(32)
            self.made.append((self.subject_id, kind, key_id, key))
            found[kind] = (key_id, key)
        return found


def envelopes(keys: StudentKeys | None = None) -> Iterator[dict[str, object]]:
    """``event_log`` rows without position and hashes: campaigns of students, in log order;
    with ``keys``, every registration sealed and one student in ``ERASED_EVERY`` erased."""
    from shared.eventlog.chain import envelope_columns
    from shared.events.envelope import Envelope
    from shared.privacy.classes import FIELD_CLASSES, IDENTITY
    from shared.privacy.payloads import seal_envelope

    def event(n: int, kind: str, stream: str, version: int, payload: dict[str, object]):
        envelope = Envelope(
            event_type=kind,
            schema_version=1 if kind != "SubjectErased" else 2,
            stream_id=stream,
            stream_version=version,
            producer="recruitment",
            actor="operator:bench",
            correlation_id=f"bench-{n}",
            payload=payload,
        )
        if keys is not None and kind == "StudentRegistered":
            envelope = seal_envelope(envelope, keys)
        return envelope_columns(envelope)

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
            if keys is not None and i % ERASED_EVERY == ERASED_EVERY // 2:  # withdrew at 3
                whole = i % (2 * ERASED_EVERY) < ERASED_EVERY
                erased = {
                    "subject_id": student,
                    "campaign_id": campaign,
                    "reason": "asked by the student",
                    "field_classes": list(FIELD_CLASSES) if whole else [IDENTITY],
                }
                yield event(n + i, "SubjectErased", f"student-{student}", 4, erased)
        n += STUDENTS_PER_CAMPAIGN


def build_log(path: Path, count: int, keys: StudentKeys | None = None) -> None:
    """A migrated SQLite event log holding ``count`` entries (sealed with ``keys``)."""
    from shared.migrations import upgrade_to_head

    upgrade_to_head(f"sqlite:///{path}", "shared.eventlog.migrations")
    connection = sqlite3.connect(path)
    columns: list[str] | None = None
    rows: list[tuple[object, ...]] = []
    for position, values in zip(range(1, count + 1), envelopes(keys), strict=False):
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


def store_keys(live_url: str, data_dir: Path, keys: StudentKeys) -> None:
    """The students' keys in the live read-model store's key table, as the gateway's copies of
    recruitment's keys, wrapped by the gateway's master key (made in ``data_dir``'s keys)."""
    from gateway.core.privacy import GATEWAY
    from shared.config import load_settings
    from shared.eventstore.database import create_database_engine
    from shared.migrations import upgrade_to_head
    from shared.privacy.key_rows import insert_keys, key_row
    from shared.privacy.master_key import component_master_key

    settings = load_settings(environ={}, overrides={"data_dir": str(data_dir)})
    master = component_master_key(settings, GATEWAY)
    upgrade_to_head(live_url, "gateway.migrations")
    engine = create_database_engine(live_url)
    now = "2023-05-01T00:00:00.000000Z"
    with engine.begin() as connection:
        for start in range(0, len(keys.made), 4096):
            chunk = keys.made[start : start + 4096]
            insert_keys(
                connection,
                [
                    key_row(master, subject, key_id, key, "recruitment", kind, now)
                    for subject, kind, key_id, key in chunk
                ],
            )
    engine.dispose()


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
    tree: Path,
    mode: str,
    log_url: str,
    live_url: str,
    data_dir: Path,
    batch: int = 50,
    sealed: bool = False,
) -> dict:
    environ = dict(os.environ, PYTHONPATH=str(tree), GRAVITY_LOG_LEVEL="warning")
    kind = "sealed" if sealed else "plain"
    command = [MEASURE, str(tree), mode, log_url, live_url, str(data_dir), str(batch), kind]
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
    parser.add_argument(
        "--sealed", action="store_true", help="registrations sealed, a few students erased"
    )
    args = parser.parse_args()
    with contextlib.ExitStack() as stack:
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="gravity-replay-")))
        keys = StudentKeys() if args.sealed else None
        build_log(work / "eventlog.db", args.events, keys)
        log_url = f"sqlite:///{work / 'eventlog.db'}"
        if args.gateway_db == "postgresql":
            live_url = stack.enter_context(postgres_database())
        else:
            live_url = f"sqlite:///{work / 'gateway.db'}"
        if keys is not None:
            store_keys(live_url, work, keys)
        trees = {"current": ROOT}
        if not args.no_baseline:
            for commit in args.baseline or [BASELINE]:
                trees[commit] = stack.enter_context(worktree(commit))
        sealed = f", {len(keys.made):,} data keys" if keys is not None else ", none sealed"
        print(f"{args.events:,} events; live read models on {args.gateway_db}{sealed}")
        found = measure(ROOT, "project", log_url, live_url, work, sealed=args.sealed)
        print(line("live projection", found))
        print(
            f"{'replay + compare':<22}{'events':>10}{'events/s':>12}{'CPU s':>9}"
            f"{'CPU µs/ev':>10}{'peak MB':>10}{'imports MB':>12}"
        )
        for round_ in range(1, args.rounds + 1):
            for name, tree in trees.items():
                found = measure(tree, "replay", log_url, live_url, work, sealed=args.sealed)
                print(line(f"{name} (round {round_})", found), flush=True)
        if args.follow_batch:
            print(
                f"catch-up subscription, {args.follow_batch} entries per batch (the gateway's "
                "live projection)"
            )
            for round_ in range(1, args.rounds + 1):
                for name, tree in trees.items():
                    found = measure(
                        tree, "follow", log_url, live_url, work, args.follow_batch, args.sealed
                    )
                    print(line(f"{name} (round {round_})", found), flush=True)


if __name__ == "__main__":
    main()
