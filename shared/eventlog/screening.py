"""What the log checks before it chains an event in, and where it keeps what fails.

An event is chained in only if it came through its producer's own exchange (``<producer>.events``),
was published by its producer's broker user where one is registered (the message's ``user_id``,
which RabbitMQ validates against the publishing connection), is signed by a key registered to
that producer with a signature that holds (over its canonical encoding, so a replayed event
with a new id fails too: ``shared.events.producer_keys``), and its
payload is what its contract says (a known type and version whose schema loads it). An
event id already logged with other content is a forgery or a broken producer, never a harmless
redelivery. What fails is kept in ``log_quarantine`` with the reason (``gravity audit
quarantine`` lists it) and logged as ``eventlog.quarantined``, naming the event by id and type
only: the envelope may hold personal data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy.engine import Connection

from shared.contracts import CONTRACTS, UnknownEventTypeError
from shared.contracts.registry import InvalidPayloadError
from shared.eventlog.tables import log_quarantine
from shared.events.canonical import canonical_bytes, format_timestamp
from shared.events.envelope import Envelope
from shared.logging import get_logger

if TYPE_CHECKING:  # the producer registry imports the log's key files
    from shared.events.producer_keys import ProducerKeys

log = get_logger(__name__)


@dataclass(frozen=True)
class Refusal:
    """An event the log will not chain in, and why."""

    envelope: Envelope
    exchange: str
    reason: str


def screen(
    envelope: Envelope, exchange: str, producers: ProducerKeys, *, user_id: str | None
) -> Refusal | None:
    """Why ``envelope``, received through ``exchange`` with the broker-validated ``user_id``,
    may not be logged; None if it may."""
    reason = producers.refusal(envelope, exchange) or producers.publisher_refusal(envelope, user_id)
    if reason is not None:
        return Refusal(envelope, exchange, reason)
    try:
        CONTRACTS.load(envelope)
    except UnknownEventTypeError:
        version = f"{envelope.event_type} v{envelope.schema_version}"
        return Refusal(envelope, exchange, f"no contract for {version}")
    except InvalidPayloadError as error:
        fields = sorted(error.errors) if isinstance(error.errors, dict) else []
        named = f" (fields: {', '.join(fields)})" if fields else ""
        return Refusal(envelope, exchange, f"the payload breaks its contract{named}")
    return None


def quarantine(connection: Connection, refusals: list[Refusal]) -> None:
    """Keep ``refusals`` in ``log_quarantine`` (in the caller's transaction) and say so."""
    if not refusals:
        return
    received_at = format_timestamp(datetime.now(UTC))
    connection.execute(
        log_quarantine.insert(),
        [
            {
                "received_at": received_at,
                "reason": refusal.reason,
                "exchange": refusal.exchange,
                "event_id": refusal.envelope.event_id,
                "event_type": refusal.envelope.event_type,
                "producer": refusal.envelope.producer,
                "envelope": canonical_bytes(refusal.envelope.to_dict()).decode("utf-8"),
            }
            for refusal in refusals
        ],
    )
    for refusal in refusals:
        log.warning(
            "eventlog.quarantined",
            event_id=refusal.envelope.event_id,
            event_type=refusal.envelope.event_type,
            producer=refusal.envelope.producer,
            exchange=refusal.exchange,
            reason=refusal.reason,
        )
