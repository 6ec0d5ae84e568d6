"""pyeventsourcing's ``eventsourcing`` doing recruitment's registration, the other side of
bench/command_path.py.

Runs in a throw-away venv that the bench makes (the peer is no dependency of the product) and
imports nothing of the product. The same command as ours: read the campaign (an aggregate
cache with fast-forward, as ours keeps a stream cache and asks for newer events), check that
registration is open, then save a ``Registration`` with recruitment's fields and an
``IdNumberClaim`` (one per campaign and keyed ID-number digest: a second registration of the
number collides on the claim's version) in one ``Application.save``. SQLite in WAL mode
with the same ``synchronous`` setting as ours, or PostgreSQL (``eventsourcing.postgres``, with
psycopg 3, which the bench installs into the peer's venv) on the server's own settings, as
ours. Protocol as bench/command_path_ours.py.

    python bench/command_path_peer.py DATABASE SYNCHRONOUS [CALLERS]

DATABASE is a SQLite file or a ``postgresql://`` URL (SYNCHRONOUS is then ignored). With
CALLERS above 1 the commands come from that many threads sharing the one application (its
connection pool as large as ours: 10, and 10 more on demand).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import shutil
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event
from eventsourcing.sqlite import SQLiteConnectionPool

LOOKUP_KEY = b"bench-lookup-key" * 2
_create_connection = SQLiteConnectionPool._create_connection


def _with_synchronous(pool: SQLiteConnectionPool):  # type: ignore[no-untyped-def]
    connection = _create_connection(pool)
    connection._sqlite_conn.execute(f"PRAGMA synchronous={os.environ['BENCH_SYNCHRONOUS']}")
    if os.environ.get("GRAVITY_BENCH_KEEP_WAL"):  # bench/command_path.py --pages
        connection._sqlite_conn.execute("PRAGMA wal_autocheckpoint=0")
    return connection


SQLiteConnectionPool._create_connection = _with_synchronous  # type: ignore[method-assign]


class Campaign(Aggregate):
    @event("Created")
    def __init__(self, name: str, opens_at: str, closes_at: str) -> None:
        self.name, self.opens_at, self.closes_at = name, opens_at, closes_at
        self.status = "draft"

    @event("Opened")
    def open(self) -> None:
        self.status = "open"

    def check_registration_open(self, now: str) -> None:
        if self.status != "open" or not self.opens_at <= now < self.closes_at:
            raise ValueError("registration is closed")


class Registration(Aggregate):
    @event("Registered")
    def __init__(
        self,
        campaign_id: str,
        name: str,
        phone: str,
        id_number: str,
        university: str,
        major: str,
        grade: str,
        hometown: str,
        channel: str,
    ) -> None:
        self.campaign_id, self.name, self.phone = campaign_id, name, phone
        self.id_number, self.university, self.major = id_number, university, major
        self.grade, self.hometown, self.channel = grade, hometown, channel
        self.status = "registered"


class IdNumberClaim(Aggregate):
    @staticmethod
    def create_id(campaign_id: str, digest: str) -> uuid.UUID:
        return uuid.uuid5(uuid.NAMESPACE_URL, f"{campaign_id}/{digest}")

    @event("Claimed")
    def __init__(self, campaign_id: str, digest: str, registration_id: uuid.UUID) -> None:
        self.campaign_id, self.digest, self.registration_id = campaign_id, digest, registration_id


class Recruitment(Application):
    def register(self, campaign_id: uuid.UUID, **fields: str) -> uuid.UUID:
        campaign = self.repository.get(campaign_id)
        campaign.check_registration_open(datetime.now(UTC).isoformat())
        registration = Registration(campaign_id=str(campaign_id), **fields)
        message = f"{campaign_id}\0{fields['id_number']}".encode()
        digest = hmac.new(LOOKUP_KEY, message, hashlib.sha256).hexdigest()
        claim = IdNumberClaim(str(campaign_id), digest, registration.id)
        self.save(registration, claim)
        return registration.id


def resident_id(seed: int) -> str:
    month, day, sequence = seed // 28 % 12 + 1, seed % 28 + 1, seed // 336 % 1000
    return f"4101021990{month:02d}{day:02d}{sequence:03d}X"


def persistence(database: str, synchronous: str) -> dict[str, str]:
    """The application's environment for a SQLite file or a PostgreSQL URL."""
    if not database.startswith("postgresql"):
        return {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": database,
            "BENCH_SYNCHRONOUS": synchronous,
        }
    url = urlsplit(database)
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": url.path.lstrip("/"),
        "POSTGRES_HOST": url.hostname or "127.0.0.1",
        "POSTGRES_PORT": str(url.port or 5432),
        "POSTGRES_USER": url.username or "postgres",
        "POSTGRES_PASSWORD": url.password or "",  # trust authentication
        "POSTGRES_POOL_SIZE": "10",  # as ours (shared/eventstore/database.py)
        "POSTGRES_MAX_OVERFLOW": "10",
    }


def main() -> None:
    database, synchronous = sys.argv[1], sys.argv[2]
    callers = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    os.environ.update(persistence(database, synchronous), AGGREGATE_CACHE_MAXSIZE="10000")
    app = Recruitment()
    now = datetime.now(UTC)
    campaign = Campaign(
        "bench", (now - timedelta(days=1)).isoformat(), (now + timedelta(days=1)).isoformat()
    )
    campaign.open()
    app.save(campaign)
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        first, count = (int(part) for part in line.split())
        wall, cpu = time.perf_counter(), time.process_time()
        register(app, campaign.id, iter(range(first, first + count)), callers)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        print(json.dumps({"wall": wall, "cpu": cpu}), flush=True)
    keep = os.environ.get("GRAVITY_BENCH_KEEP_WAL")
    if keep and not database.startswith("postgresql"):  # while the pool's connections are open
        shutil.copyfile(f"{database}-wal", keep)


def register(app: Recruitment, campaign_id: uuid.UUID, seeds: Iterator[int], callers: int) -> None:
    """Register a student per seed, from ``callers`` threads taking seeds from one iterator
    (a range's iterator hands each seed to one thread only)."""
    failures: list[BaseException] = []

    def client() -> None:
        try:
            for seed in seeds:
                app.register(
                    campaign_id,
                    name="欧阳明轩",
                    phone="13700001234",
                    id_number=resident_id(seed),
                    university="Henan University",
                    major="Law",
                    grade="junior",
                    hometown="Beiguan Town",
                    channel="organisation",
                )
        except BaseException as error:  # raised again in the caller's thread, below
            failures.append(error)
            raise

    if callers == 1:
        client()
        return
    threads = [threading.Thread(target=client) for _ in range(callers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]


if __name__ == "__main__":
    main()
