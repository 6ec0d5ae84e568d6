"""The event log at scale: append, verify and prove over N entries, beside plain hashlib.

Builds a fresh SQLite log of ``--entries`` events (registrations-sized payloads, each signed
by its producer's key as the relay signs it; ``--unsigned`` for a log from before signing)
with the product's appender, then, in ``--rounds`` alternating rounds over the same file:

- ``verify_chain`` with ``--workers`` processes (default: the machine's cores), and with one
  process, wall time and CPU seconds of all of them (``time.process_time`` here,
  ``RUSAGE_CHILDREN`` for the workers);
- the baseline, hashlib alone: the same stored bytes (each entry's header columns and its
  stored envelope text) read with sqlite3 and hashed as they come, in a plain loop in one
  process, nothing compared (the least a verifier in Python does per entry);

then SHA-256 alone over those bytes in memory (the ceiling), the time of an inclusion and a
consistency proof over all entries, and peak memory.

    .venv/bin/python bench/eventlog.py [--entries 1000000] [--unsigned] [--workers N] [--rounds 2]
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
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from shared.eventlog.verify import verify_chain
from shared.eventstore.database import create_database_engine

if TYPE_CHECKING:
    from shared.events.envelope import Envelope
    from shared.events.producer_keys import ProducerSigner

# verify's worker processes start this script again (multiprocessing's spawn): what only the
# building and the proofs need is imported inside them, as ``gravity audit verify``'s workers
# import only the CLI and the walk.

BATCH = 1000
PAGE = 5000


def envelope(n: int) -> Envelope:
    from shared.events.envelope import Envelope

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


def build(url: str, entries: int, signer: ProducerSigner | None) -> tuple[float, float]:
    """Append ``entries`` events: (wall, CPU) seconds, without signing them (the relay's work)."""
    from shared.eventlog.appender import EventLogAppender

    appender = EventLogAppender(create_database_engine(url))
    wall = cpu = 0.0
    for first in range(0, entries, BATCH):
        batch = [envelope(n) for n in range(first, min(first + BATCH, entries))]
        if signer is not None:
            batch = [signer.sign(event) for event in batch]
        began, began_cpu = time.perf_counter(), time.process_time()
        appender.append_batch(batch)
        wall += time.perf_counter() - began
        cpu += time.process_time() - began_cpu
    return wall, cpu


@dataclass
class Timing:
    """Wall and CPU seconds of one measured step, summed over the rounds."""

    wall: list[float]
    cpu: list[float]

    def rate(self, entries: int) -> str:
        """Entries per second: the best round's wall rate, and per CPU second (all rounds)."""
        best = entries / min(self.wall)
        return f"{best:,.0f} ({entries * len(self.cpu) / sum(self.cpu):,.0f}/CPU s)"


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed_verify(url: str, workers: int | None, timing: Timing) -> None:
    began, began_cpu, began_children = time.perf_counter(), time.process_time(), children_cpu()
    result = verify_chain(create_database_engine(url, reader=True), workers=workers)
    timing.wall.append(time.perf_counter() - began)
    timing.cpu.append(time.process_time() - began_cpu + children_cpu() - began_children)
    assert result.ok, result.reason


HASHED = "SELECT position, recorded_at, prev_hash, envelope FROM event_log ORDER BY position"


def timed_hashlib_alone(path: Path, timing: Timing) -> int:
    """The bytes every entry's hash covers, read with sqlite3 and hashed as they come."""
    connection = sqlite3.connect(path)
    began, began_cpu, count = time.perf_counter(), time.process_time(), 0
    for position, recorded_at, prev_hash, envelope in connection.execute(HASHED):
        hashlib.sha256(f"{position}\n{recorded_at}\n{prev_hash}\n{envelope}".encode()).hexdigest()
        count += 1
    timing.wall.append(time.perf_counter() - began)
    timing.cpu.append(time.process_time() - began_cpu)
    connection.close()
    return count


def sha256_in_memory(path: Path) -> float:
    """Seconds of SHA-256 alone over every entry's hashed bytes, held in memory a page at a
    time (the ceiling: no reading, no comparing)."""
    connection = sqlite3.connect(path)
    cursor = connection.execute(HASHED)
    hashed = 0.0
    while page := cursor.fetchmany(PAGE):
        materials = [f"{p}\n{r}\n{h}\n{e}".encode() for p, r, h, e in page]
        began = time.perf_counter()
        for material in materials:
            hashlib.sha256(material).hexdigest()
        hashed += time.perf_counter() - began
    connection.close()
    return hashed


def proofs(path: Path) -> tuple[float, float, float]:
    from shared.eventlog.merkle import consistency_proof, inclusion_proof, leaf_hash, tree_root

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
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from shared.events.producer_keys import ProducerSigner
    from shared.migrations import upgrade_to_head

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--unsigned", action="store_true", help="entries without signatures")
    parser.add_argument("--workers", type=int, default=None, help="verify's processes")
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds")
    args = parser.parse_args()
    signer = None if args.unsigned else ProducerSigner(Ed25519PrivateKey.generate())
    n = args.entries
    workers = args.workers if args.workers is not None else os.cpu_count()
    verify, single, alone = Timing([], []), Timing([], []), Timing([], [])
    loads = [os.getloadavg()[0]]
    with tempfile.TemporaryDirectory(prefix="gravity-bench-log-") as folder:
        path = Path(folder) / "eventlog.db"
        url = f"sqlite:///{path}"
        upgrade_to_head(url, "shared.eventlog.migrations")
        appended, append_cpu = build(url, n, signer)
        in_memory = sha256_in_memory(path)
        loads.append(os.getloadavg()[0])
        for _ in range(args.rounds):
            timed_verify(url, args.workers, verify)
            assert timed_hashlib_alone(path, alone) == n
            timed_verify(url, 1, single)
        loads.append(os.getloadavg()[0])
        loaded, rooted, proved = proofs(path)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    workers_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    kind = "unsigned" if signer is None else "signed"
    print(f"event log of {n:,} {kind} entries (SQLite; verify with up to {workers} processes)")
    print("load average " + ", ".join(f"{load:.1f}" for load in loads) + " (start, build, end)")
    ratio_wall = min(alone.wall) / min(verify.wall)
    ratio_cpu = sum(alone.cpu) / sum(verify.cpu)
    single_cpu = sum(alone.cpu) / sum(single.cpu)
    figures = [
        ("append (entries/s)", f"{n / appended:,.0f}"),
        ("  append, CPU s", f"{append_cpu:,.1f}"),
        (f"verify_chain, {workers} processes, best of {args.rounds} (/s)", verify.rate(n)),
        ("  verify_chain, CPU s per round (all processes)", f"{sum(verify.cpu) / args.rounds:.1f}"),
        (f"verify_chain, 1 process, best of {args.rounds} (/s)", single.rate(n)),
        ("  verify_chain, 1 process, CPU s per round", f"{sum(single.cpu) / args.rounds:.1f}"),
        ("hashlib alone, same bytes via sqlite3 (/s)", alone.rate(n)),
        ("  hashlib alone, CPU s per round", f"{sum(alone.cpu) / args.rounds:.1f}"),
        (
            f"  verify ({workers} p.) / hashlib alone (wall; CPU)",
            f"{ratio_wall:.2f}; {ratio_cpu:.2f}",
        ),
        ("  verify (1 process) / hashlib alone, CPU", f"{single_cpu:.2f}"),
        ("sha256 alone over the same bytes in memory (/s)", f"{n / in_memory:,.0f}"),
        ("load leaf hashes (s)", f"{loaded:.2f}"),
        ("tree root over all entries (s)", f"{rooted:.2f}"),
        ("one inclusion + one consistency proof (s)", f"{proved:.2f}"),
        ("peak memory, this process (MB)", f"{peak_mb:,.0f}"),
        ("peak memory, largest verify worker (MB)", f"{workers_mb:,.0f}"),
    ]
    print(f"{'figure':<52}{'measured':>28}")
    for label, value in figures:
        print(f"{label:<52}{value:>28}")


if __name__ == "__main__":
    main()
