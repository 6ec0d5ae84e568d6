"""The event log at scale: append, verify and prove over N entries, beside plain hashlib.

Builds a fresh SQLite log of ``--entries`` events (registrations-sized payloads, each signed
by its producer's key as the relay signs it; ``--unsigned`` for a log from before signing)
with the product's appender, then prints the append rate, ``verify_chain``'s rate, the time of an
inclusion and a consistency proof over all entries, peak memory, and, as the baseline from
the same run, the rate of hashing the same stored bytes with hashlib alone (read with sqlite3
in a plain loop; and SHA-256 alone over those bytes in memory, the ceiling).

    .venv/bin/python bench/eventlog.py [--entries 1000000] [--unsigned] [--workers N]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import resource
import sqlite3
import sys
import tempfile
import time
import uuid
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from shared.eventlog.appender import EventLogAppender
from shared.eventlog.chain import STORED_COLUMNS, stored_material
from shared.eventlog.merkle import consistency_proof, inclusion_proof, leaf_hash, tree_root
from shared.eventlog.verify import verify_chain
from shared.events.envelope import Envelope
from shared.events.producer_keys import ProducerSigner
from shared.eventstore.database import create_database_engine
from shared.migrations import upgrade_to_head

BATCH = 1000


def envelope(n: int) -> Envelope:
    student = str(uuid.UUID(int=n))
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


def build(url: str, entries: int, signer: ProducerSigner | None) -> float:
    """Append ``entries`` events; the time excludes signing them (the relay's work)."""
    appender = EventLogAppender(create_database_engine(url))
    spent = 0.0
    for first in range(0, entries, BATCH):
        batch = [envelope(n) for n in range(first, min(first + BATCH, entries))]
        if signer is not None:
            batch = [signer.sign(event) for event in batch]
        started = time.perf_counter()
        appender.append_batch(batch)
        spent += time.perf_counter() - started
    return spent


def hashlib_baseline(path: Path) -> tuple[float, int, float]:
    """hashlib alone on the bytes ``verify`` hashes, two ways: (1) every stored column the hash
    covers read with sqlite3 and hashed as it comes, in a plain loop (what the least verifier
    in Python does per entry); (2) SHA-256 alone over the exact hashed bytes, already in memory
    (the ceiling: no reading, built page by page outside the timing).
    Returns (1)'s seconds, the entries it hashed, and (2)'s seconds."""
    columns = ", ".join(STORED_COLUMNS)
    connection = sqlite3.connect(path)
    rows = connection.execute(f"SELECT {columns} FROM event_log ORDER BY position")
    started, count = time.perf_counter(), 0
    for (
        position, recorded_at, prev_hash, _, actor, causation_id, correlation_id, event_id,
        event_type, key_id, occurred_at, payload, producer, schema_version, signature,
        stream_id, stream_version,
    ) in rows:  # fmt: skip
        joined = (
            f"{position}\n{recorded_at}\n{prev_hash}\n{actor}{causation_id}{correlation_id}"
            f"{event_id}{event_type}{key_id}{occurred_at}{payload}{producer}{schema_version}"
            f"{signature}{stream_id}{stream_version}"
        )
        hashlib.sha256(joined.encode()).hexdigest()
        count += 1
    read_and_hashed = time.perf_counter() - started
    cursor = connection.execute(f"SELECT {columns} FROM event_log ORDER BY position")
    hashed = 0.0
    while page := cursor.fetchmany(5000):
        materials = [stored_material(row) for row in page]
        started = time.perf_counter()
        for material in materials:
            hashlib.sha256(material).hexdigest()
        hashed += time.perf_counter() - started
    connection.close()
    return read_and_hashed, count, hashed


def proofs(path: Path) -> tuple[float, float, float]:
    connection = sqlite3.connect(path)
    started = time.perf_counter()
    leaves = [
        leaf_hash(bytes.fromhex(digest))
        for (digest,) in connection.execute("SELECT hash FROM event_log ORDER BY position")
    ]
    connection.close()
    loaded = time.perf_counter() - started
    started = time.perf_counter()
    root = tree_root(leaves)
    rooted = time.perf_counter() - started
    started = time.perf_counter()
    inclusion_proof(leaves, len(leaves) // 3)
    consistency_proof(leaves, len(leaves) // 2)
    proved = time.perf_counter() - started
    assert len(root) == 32
    return loaded, rooted, proved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--unsigned", action="store_true", help="entries without signatures")
    parser.add_argument("--workers", type=int, default=None, help="verify's processes")
    args = parser.parse_args()
    signer = None if args.unsigned else ProducerSigner(Ed25519PrivateKey.generate())
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="gravity-bench-log-") as folder:
        path = Path(folder) / "eventlog.db"
        url = f"sqlite:///{path}"
        upgrade_to_head(url, "shared.eventlog.migrations")
        appended = build(url, args.entries, signer)
        started = time.perf_counter()
        result = verify_chain(create_database_engine(url, reader=True), workers=args.workers)
        verified = time.perf_counter() - started
        assert result.ok, result.reason
        baseline, hashed, in_memory = hashlib_baseline(path)
        loaded, rooted, proved = proofs(path)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    workers_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    n = args.entries
    kind = "unsigned" if signer is None else "signed"
    workers = args.workers if args.workers is not None else os.cpu_count()
    print(f"event log of {n:,} {kind} entries (SQLite; verify with up to {workers} processes)")
    print(f"load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after")
    per_second = hashed / baseline
    figures = [
        ("append (entries/s)", f"{n / appended:,.0f}"),
        ("verify_chain (entries/s)", f"{n / verified:,.0f}"),
        ("hashlib alone, the same columns read with sqlite3 (/s)", f"{per_second:,.0f}"),
        ("  verify / hashlib alone", f"{(n / verified) / per_second:.2f}"),
        ("sha256 alone over the same bytes in memory (/s)", f"{hashed / in_memory:,.0f}"),
        ("load leaf hashes (s)", f"{loaded:.2f}"),
        ("tree root over all entries (s)", f"{rooted:.2f}"),
        ("one inclusion + one consistency proof (s)", f"{proved:.2f}"),
        ("peak memory, this process (MB)", f"{peak_mb:,.0f}"),
        ("peak memory, largest verify worker (MB)", f"{workers_mb:,.0f}"),
    ]
    print(f"{'figure':<56}{'measured':>14}")
    for label, value in figures:
        print(f"{label:<56}{value:>14}")


if __name__ == "__main__":
    main()
