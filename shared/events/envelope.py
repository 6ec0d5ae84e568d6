"""The envelope every event travels in, on the wire and in every store."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from shared.events.canonical import format_timestamp, parse_timestamp
from shared.events.ids import time_ordered_id

ENVELOPE_FIELDS = (
    "event_id",
    "event_type",
    "schema_version",
    "stream_id",
    "stream_version",
    "occurred_at",
    "producer",
    "correlation_id",
    "causation_id",
    "actor",
    "payload",
)
SIGNATURE_FIELDS = ("key_id", "signature")
"""Optional envelope fields: the producer's key id and its Ed25519 signature (base64) over the
canonical encoding of the envelope without them. Absent from an unsigned envelope's JSON, so
that events logged before producers signed keep their bytes and their hashes."""


def stored_fields(row: Any) -> dict[str, Any]:
    """The envelope's fields, but the payload, from a stored row (stored text timestamps and
    all), in ``ENVELOPE_FIELDS`` order: the event store and the event log name them alike."""
    return {name: getattr(row, name) for name in ENVELOPE_FIELDS[:-1]}


class MalformedEnvelopeError(ValueError):
    """A message or row does not hold a complete, well-typed envelope."""


@dataclass(frozen=True)
class Envelope:
    """One recorded fact: metadata that every consumer understands plus a typed payload."""

    event_type: str
    schema_version: int
    stream_id: str
    stream_version: int
    producer: str
    actor: str
    correlation_id: str
    payload: dict[str, Any]
    causation_id: str | None = None
    # Time-ordered (UUID version 7), so that the log's event-id index grows at its end.
    event_id: str = field(default_factory=time_ordered_id)
    occurred_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    key_id: str | None = None
    signature: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON form, as published and as hashed in the event log (with ``key_id`` and
        ``signature`` only if it is signed)."""
        if self.signature is None:
            return self.unsigned_dict()
        return {"key_id": self.key_id, "signature": self.signature} | self.unsigned_dict()

    def unsigned_dict(self) -> dict[str, Any]:
        """``unsigned().to_dict()``, without the copy of the envelope: what a producer signs."""
        return {
            "event_id": self.event_id,
            "event_type": self.event_type,
            "schema_version": self.schema_version,
            "stream_id": self.stream_id,
            "stream_version": self.stream_version,
            "occurred_at": format_timestamp(self.occurred_at),
            "producer": self.producer,
            "correlation_id": self.correlation_id,
            "causation_id": self.causation_id,
            "actor": self.actor,
            "payload": self.payload,
        }

    def unsigned(self) -> Envelope:
        """The envelope without its signature: what a producer signs."""
        return replace(self, key_id=None, signature=None)

    def signed(self, key_id: str, signature: str) -> Envelope:
        return replace(self, key_id=key_id, signature=signature)

    def with_payload(self, schema_version: int, payload: dict[str, Any]) -> Envelope:
        """The same event with an upcast payload."""
        return replace(self, schema_version=schema_version, payload=payload)

    @classmethod
    def from_dict(cls, data: Any) -> Envelope:
        """Parse and type-check an envelope received from outside."""
        if not isinstance(data, dict):
            raise MalformedEnvelopeError("an envelope is a JSON object")
        missing = [name for name in ENVELOPE_FIELDS if name not in data]
        if missing:
            raise MalformedEnvelopeError(f"envelope lacks {', '.join(missing)}")
        try:
            uuid.UUID(str(data["event_id"]))
            envelope = cls(
                event_id=str(data["event_id"]),
                event_type=_text(data, "event_type"),
                schema_version=_integer(data, "schema_version"),
                stream_id=_text(data, "stream_id"),
                stream_version=_integer(data, "stream_version"),
                occurred_at=parse_timestamp(_text(data, "occurred_at")),
                producer=_text(data, "producer"),
                correlation_id=_text(data, "correlation_id"),
                causation_id=data["causation_id"]
                if data["causation_id"] is None
                else _text(data, "causation_id"),
                actor=_text(data, "actor"),
                payload=data["payload"],
                **_signature(data),
            )
        except (ValueError, TypeError) as error:
            raise MalformedEnvelopeError(str(error)) from error
        if not isinstance(envelope.payload, dict):
            raise MalformedEnvelopeError("payload must be a JSON object")
        return envelope


def _signature(data: dict[str, Any]) -> dict[str, str]:
    present = [name for name in SIGNATURE_FIELDS if data.get(name) is not None]
    if not present:
        return {}
    if len(present) != len(SIGNATURE_FIELDS):
        raise MalformedEnvelopeError("a signed envelope has both key_id and signature")
    return {name: _text(data, name) for name in SIGNATURE_FIELDS}


def _text(data: dict[str, Any], name: str) -> str:
    value = data[name]
    if not isinstance(value, str) or not value:
        raise MalformedEnvelopeError(f"{name} must be a non-empty string")
    return value


def _integer(data: dict[str, Any], name: str) -> int:
    value = data[name]
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise MalformedEnvelopeError(f"{name} must be a positive integer")
    return value
