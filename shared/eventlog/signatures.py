"""Checking the producers' signatures of logged events again: ``gravity audit verify --signatures``.

The log checked each signature when it chained the event in, and the hash chain covers it since;
this walk checks them once more against the producers' public keys the auditor holds, so that
an entry someone wrote straight into the database (and chained, with access to the log's
checkpoint key) is caught unless they also hold that producer's private key. Entries logged
before producers signed have no signature and are counted, not failed.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Engine

from shared.eventlog.reader import EventLogReader
from shared.events.producer_keys import ProducerKeys
from shared.messaging.topology import event_exchange

PAGE = 5000


@dataclass(frozen=True)
class SignatureCheck:
    """What the walk found: signed and unsigned entries, and the first that fails, if any."""

    signed: int
    unsigned: int
    first_bad: tuple[int, str] | None = None


def check_signatures(engine: Engine, producers: ProducerKeys) -> SignatureCheck:
    """Check every signed entry's signature; stop at the first that fails."""
    reader = EventLogReader(engine)
    signed = unsigned = position = 0
    while entries := reader.read_after(position, PAGE):
        for entry in entries:
            envelope = entry.envelope
            if envelope.signature is None:
                unsigned += 1
                continue
            reason = producers.refusal(envelope, event_exchange(envelope.producer))
            if reason is not None:
                return SignatureCheck(signed, unsigned, (entry.position, reason))
            signed += 1
        position = entries[-1].position
    return SignatureCheck(signed, unsigned)
