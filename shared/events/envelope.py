"""The envelope every event travels in, on the wire and in every store."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from shared.events.canonical import format_timestamp, parse_timestamp

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
    event_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    occurred_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    def to_dict(self) -> dict[str, Any]:
        """The JSON form, as published and as hashed in the event log."""
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
            )
        except (ValueError, TypeError) as error:
            raise MalformedEnvelopeError(str(error)) from error
        if not isinstance(envelope.payload, dict):
            raise MalformedEnvelopeError("payload must be a JSON object")
        return envelope


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
