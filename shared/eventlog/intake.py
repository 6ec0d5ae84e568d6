"""One broker message on its way in: an envelope the log can store, or a dead letter."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pika

from shared.eventlog.topology import EVENT_LOG_DEAD_LETTER_QUEUE
from shared.events.canonical import canonical_bytes
from shared.events.envelope import Envelope
from shared.logging import get_logger

log = get_logger(__name__)


class UnloggableMessageError(ValueError):
    """A message body is not an envelope the log can store and later verify."""


@dataclass(frozen=True)
class Delivery:
    """A message taken off the queue; it is acked only after its batch has committed."""

    delivery_tag: int
    exchange: str
    routing_key: str
    body: bytes
    properties: Any


def read_envelope(body: bytes) -> Envelope:
    """Parse a message body (the envelope's JSON) and check that it has a canonical form.

    The error names only the kind of problem (an exception class), never the content, so that
    it is safe to log: a malformed body may still carry personal data.
    """
    try:
        envelope = Envelope.from_dict(json.loads(body))
        canonical_bytes(envelope.to_dict())
    except (ValueError, TypeError, RecursionError) as error:
        raise UnloggableMessageError(type(error).__name__) from error
    return envelope


def dead_letter(channel: Any, delivery: Delivery, reason: str) -> None:
    """Move a message the log cannot take to the dead-letter queue, body untouched.

    The channel is in confirm mode, so this returns only once the broker holds the copy; the
    caller may then ack the original. A crash in between leaves a second copy at worst.
    """
    log.warning(
        "eventlog.malformed_message",
        reason=reason,
        exchange=delivery.exchange,
        routing_key=delivery.routing_key,
        size=len(delivery.body),
    )
    headers = dict(getattr(delivery.properties, "headers", None) or {})
    headers.update(
        {
            "x-gravity-rejected-because": reason,
            "x-gravity-original-exchange": delivery.exchange,
            "x-gravity-original-routing-key": delivery.routing_key,
        }
    )
    channel.basic_publish(
        exchange="",
        routing_key=EVENT_LOG_DEAD_LETTER_QUEUE,
        body=delivery.body,
        properties=pika.BasicProperties(delivery_mode=2, headers=headers),
        mandatory=True,
    )
