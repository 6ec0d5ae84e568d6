"""The event log at scale: append, verify and prove over N entries, beside plain hashlib.

Builds a fresh SQLite log of ``--entries`` events (registrations-sized payloads, each signed
by its producer's key as the relay signs it; ``--unsigned`` for a log from before signing)
with the product's appender, then prints the append rate, ``verify_chain``'s rate, the time of an
inclusion and a consistency proof over all entries, peak memory, and, as the baseline from
the same run, the rate of hashing the same stored bytes with hashlib alone.

    .venv/bin/python bench/eventlog.py [--entries 1000000] [--unsigned]
"""

from __future__ import annotations

import argparse
import hashlib
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


def hashlib_baseline(path: Path) -> tuple[float, int]:
    """Hash each stored entry's bytes (header and columns as stored) with hashlib alone."""
    connection = sqlite3.connect(path)
    rows = connection.execute(
        "SELECT position, recorded_at, prev_hash, payload, event_id, actor, signature"
        " FROM event_log"
    )
    started, count = time.perf_counter(), 0
    for position, recorded_at, prev_hash, payload, event_id, actor, signature in rows:
        material = f"{position}\n{recorded_at}\n{prev_hash}\n{event_id}{actor}{signature}{payload}"
        hashlib.sha256(material.encode()).hexdigest()
        count += 1
    connection.close()
    return time.perf_counter() - started, count


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
    args = parser.parse_args()
    signer = None if args.unsigned else ProducerSigner(Ed25519PrivateKey.generate())
    with tempfile.TemporaryDirectory(prefix="gravity-bench-log-") as folder:
        path = Path(folder) / "eventlog.db"
        url = f"sqlite:///{path}"
        upgrade_to_head(url, "shared.eventlog.migrations")
        appended = build(url, args.entries, signer)
        started = time.perf_counter()
        result = verify_chain(create_database_engine(url, reader=True))
        verified = time.perf_counter() - started
        assert result.ok, result.reason
        baseline, hashed = hashlib_baseline(path)
        loaded, rooted, proved = proofs(path)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    n = args.entries
    kind = "unsigned" if signer is None else "signed"
    print(f"event log of {n:,} {kind} entries (SQLite, one process)")
    print(f"{'figure':<48}{'measured':>14}")
    print(f"{'append (entries/s)':<48}{n / appended:>14,.0f}")
    print(f"{'verify_chain (entries/s)':<48}{n / verified:>14,.0f}")
    print(f"{'hashlib alone on the stored bytes (entries/s)':<48}{hashed / baseline:>14,.0f}")
    print(f"{'  verify / hashlib':<48}{(n / verified) / (hashed / baseline):>14.2f}")
    print(f"{'load leaf hashes (s)':<48}{loaded:>14.2f}")
    print(f"{'tree root over all entries (s)':<48}{rooted:>14.2f}")
    print(f"{'one inclusion + one consistency proof (s)':<48}{proved:>14.2f}")
    print(f"{'peak memory (MB)':<48}{peak_mb:>14,.0f}")


if __name__ == "__main__":
    main()
