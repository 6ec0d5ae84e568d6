"""Turning one broker message into an envelope the log can store, or saying why not."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from shared.events.canonical import canonical_bytes
from shared.events.envelope import Envelope


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
