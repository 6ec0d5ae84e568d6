"""Ed25519 through libsodium (``shared.events.ed25519``, PyNaCl) against ``cryptography``'s.

Two measurements in one run, the sides taking turns so that both see the same machine load:

- per call: the signature of a registration-sized event's signing bytes (``signing_bytes``),
  made and checked by ``cryptography`` (OpenSSL, how the product did it before) and through
  ``shared.events.ed25519``; rounds of ``--calls`` calls, the two sides alternating, the order
  swapped every round; prints the median µs of CPU per call and the ratio;
- ``gravity audit verify --signatures``: ``check_signatures`` over one SQLite log of
  ``--entries`` signed entries, with a producer registry whose keys check through
  ``cryptography`` (the old way) or through libsodium (the product's ``ProducerKeys``);
  ``--walks`` walks each, alternating; prints entries/s and CPU µs per entry (median).

    .venv/bin/python bench/signatures.py [--calls 2000] [--rounds 15]
                                         [--entries 50000] [--walks 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from bench.eventlog_append import envelope
from shared.eventlog.appender import EventLogAppender
from shared.eventlog.process import MIGRATIONS, log_engine
from shared.eventlog.signatures import check_signatures
from shared.events import producer_keys
from shared.events.ed25519 import Signer, Verifier
from shared.events.producer_keys import ProducerKeys, ProducerSigner, signing_bytes
from shared.migrations import upgrade_to_head

BATCH = 1000
OLD, NEW = "cryptography", "libsodium"


class CryptographyVerifier:
    """The check as the product made it before: ``cryptography``'s Ed25519 verify."""

    def __init__(self, public_key: Ed25519PublicKey) -> None:
        self._key = public_key

    def verifies(self, signature: bytes, message: bytes) -> bool:
        try:
            self._key.verify(signature, message)
        except (InvalidSignature, ValueError):
            return False
        return True


def cpu_per_call(work: Callable[[], object], calls: int) -> float:
    """µs of this process's CPU per call of ``work``."""
    began = time.process_time()
    for _ in range(calls):
        work()
    return (time.process_time() - began) / calls * 1e6


def per_call(calls: int, rounds: int) -> None:
    key = Ed25519PrivateKey.generate()
    message = signing_bytes(envelope(0))
    signature = key.sign(message)
    old_verifier, verifier = CryptographyVerifier(key.public_key()), Verifier(key.public_key())
    signer = Signer(key)
    sides: dict[str, dict[str, Callable[[], object]]] = {
        "verify": {
            OLD: lambda: old_verifier.verifies(signature, message),
            NEW: lambda: verifier.verifies(signature, message),
        },
        "sign": {OLD: lambda: key.sign(message), NEW: lambda: signer.sign(message)},
    }
    print(
        f"per call: a {len(message)}-byte message, {rounds} rounds of {calls:,} calls a side,"
        " alternating; median CPU µs per call"
    )
    print(f"{'':8}{OLD:>14}{NEW:>12}{'new/old':>9}")
    for operation, ways in sides.items():
        times: dict[str, list[float]] = {OLD: [], NEW: []}
        for number in range(rounds):
            order = (OLD, NEW) if number % 2 == 0 else (NEW, OLD)
            for way in order:
                times[way].append(cpu_per_call(ways[way], calls))
        old, new = statistics.median(times[OLD]), statistics.median(times[NEW])
        print(f"{operation:8}{old:>14.1f}{new:>12.1f}{new / old:>9.2f}")


def registry(public_key: Ed25519PublicKey, verifier: type) -> ProducerKeys:
    """recruitment's registry, its key checking through ``verifier``."""
    with mock.patch.object(producer_keys, "Verifier", verifier):
        return ProducerKeys({"recruitment": [public_key]})


def walks(entries: int, count: int) -> None:
    key = Ed25519PrivateKey.generate()
    signer = ProducerSigner(key)
    registries = {
        OLD: registry(key.public_key(), CryptographyVerifier),
        NEW: registry(key.public_key(), Verifier),
    }
    with tempfile.TemporaryDirectory(prefix="gravity-signatures-") as folder:
        url = f"sqlite:///{Path(folder) / 'eventlog.db'}"
        upgrade_to_head(url, MIGRATIONS)
        engine = log_engine(url)
        appender = EventLogAppender(engine)
        for start in range(0, entries, BATCH):
            batch = range(start, min(start + BATCH, entries))
            appender.append_batch([signer.sign(envelope(n)) for n in batch])
        print(
            f"\ncheck_signatures (gravity audit verify --signatures): {entries:,} signed entries"
            f" on SQLite, {count} walks a side, alternating; median"
        )
        print(f"{'':14}{'entries/s':>11}{'CPU µs/entry':>14}")
        wall: dict[str, list[float]] = {OLD: [], NEW: []}
        cpu: dict[str, list[float]] = {OLD: [], NEW: []}
        for number in range(count):
            order = (OLD, NEW) if number % 2 == 0 else (NEW, OLD)
            for way in order:
                began, began_cpu = time.perf_counter(), time.process_time()
                found = check_signatures(engine, registries[way])
                wall[way].append(time.perf_counter() - began)
                cpu[way].append(time.process_time() - began_cpu)
                if found.signed != entries or found.first_bad is not None:
                    raise SystemExit(f"{way}: {found}")
        for way in (OLD, NEW):
            rate = entries / statistics.median(wall[way])
            per_entry = statistics.median(cpu[way]) / entries * 1e6
            print(f"{way:14}{rate:>11,.0f}{per_entry:>14.1f}")
        ratio = statistics.median(cpu[NEW]) / statistics.median(cpu[OLD])
        print(f"{'new/old CPU':14}{'':>11}{ratio:>14.2f}")
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--entries", type=int, default=50_000)
    parser.add_argument("--walks", type=int, default=3)
    args = parser.parse_args()
    print(f"load average at start: {os.getloadavg()[0]:.2f}")
    per_call(args.calls, args.rounds)
    walks(args.entries, args.walks)
    print(f"load average at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
