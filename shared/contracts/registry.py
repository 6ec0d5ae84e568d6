"""The registry of payload schemas and the upcasters that lift old versions to the newest."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from marshmallow import Schema, ValidationError, fields

from shared.events.canonical import format_timestamp, parse_timestamp
from shared.events.envelope import Envelope

Payload = dict[str, Any]
Upcaster = Callable[[Payload], Payload]


class UnknownEventTypeError(LookupError):
    """No contract is registered for this event type and version."""


class InvalidPayloadError(ValueError):
    """A payload does not satisfy its contract."""

    def __init__(self, event_type: str, errors: Any) -> None:
        super().__init__(f"{event_type} payload is invalid: {errors}")
        self.errors = errors


class UtcDateTime(fields.DateTime):
    """A timestamp field that always serialises in the canonical UTC form."""

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> str | None:  # noqa: ARG002 - marshmallow's signature
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise ValidationError("not a datetime")
        return format_timestamp(value)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> datetime:  # noqa: ARG002 - marshmallow's signature
        if not isinstance(value, str):
            raise ValidationError("must be an ISO 8601 string")
        try:
            return parse_timestamp(value)
        except ValueError as error:
            raise ValidationError("must be an ISO 8601 timestamp with a time zone") from error


class Id(fields.String):
    """A UUID that is validated on the way in but stays a string in Python."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return str(uuid.UUID(text))
        except ValueError as error:
            raise ValidationError("not a valid UUID") from error

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> str | None:  # noqa: ARG002
        if value is None:
            return None
        try:
            return str(uuid.UUID(str(value)))
        except ValueError as error:
            raise ValidationError("not a valid UUID") from error


FieldT = TypeVar("FieldT", bound=fields.Field[Any])


def personal(field: FieldT) -> FieldT:
    """Mark a payload field as personal data: never logged, redacted for auditors."""
    field.metadata = {**field.metadata, "personal_data": True}
    return field


@dataclass(frozen=True)
class Contract:
    event_type: str
    version: int
    schema: Schema

    @property
    def personal_fields(self) -> frozenset[str]:
        return frozenset(
            name
            for name, field in self.schema.fields.items()
            if field.metadata.get("personal_data")
        )


class ContractRegistry:
    """Schemas keyed by (type, version) plus upcasters from each version to the next."""

    def __init__(self) -> None:
        self._contracts: dict[tuple[str, int], Contract] = {}
        self._upcasters: dict[tuple[str, int], Upcaster] = {}

    def contract(self, event_type: str, version: int) -> Callable[[type[Schema]], type[Schema]]:
        """Class decorator registering a payload schema."""

        def register(schema_class: type[Schema]) -> type[Schema]:
            key = (event_type, version)
            if key in self._contracts:
                raise ValueError(f"contract {event_type} v{version} registered twice")
            self._contracts[key] = Contract(event_type, version, schema_class())
            return schema_class

        return register

    def upcaster(self, event_type: str, from_version: int) -> Callable[[Upcaster], Upcaster]:
        """Function decorator registering the step from ``from_version`` to the next."""

        def register(step: Upcaster) -> Upcaster:
            self._upcasters[(event_type, from_version)] = step
            return step

        return register

    def get(self, event_type: str, version: int) -> Contract:
        try:
            return self._contracts[(event_type, version)]
        except KeyError:
            raise UnknownEventTypeError(f"{event_type} v{version}") from None

    def knows(self, event_type: str) -> bool:
        return any(key[0] == event_type for key in self._contracts)

    def latest_version(self, event_type: str) -> int:
        versions = [version for kind, version in self._contracts if kind == event_type]
        if not versions:
            raise UnknownEventTypeError(event_type)
        return max(versions)

    def event_types(self) -> list[str]:
        return sorted({kind for kind, _ in self._contracts})

    def dump(self, event_type: str, values: Payload) -> tuple[int, Payload]:
        """Validate and serialise a payload at the newest version."""
        version = self.latest_version(event_type)
        schema = self.get(event_type, version).schema
        try:
            payload: Payload = schema.dump(values)
        except ValidationError as error:
            raise InvalidPayloadError(event_type, error.messages) from error
        errors = schema.validate(payload)
        if errors:
            raise InvalidPayloadError(event_type, errors)
        return version, payload

    def upcast(self, envelope: Envelope) -> Envelope:
        """Lift an envelope's payload to the newest version; stored events are never rewritten."""
        latest = self.latest_version(envelope.event_type)
        version, payload = envelope.schema_version, dict(envelope.payload)
        while version < latest:
            step = self._upcasters.get((envelope.event_type, version))
            if step is None:
                raise UnknownEventTypeError(f"no upcaster for {envelope.event_type} v{version}")
            payload, version = step(payload), version + 1
        return envelope.with_payload(version, payload)

    def load(self, envelope: Envelope) -> Payload:
        """Upcast, then validate and deserialise the payload into Python values."""
        current = self.upcast(envelope)
        schema = self.get(current.event_type, current.schema_version).schema
        try:
            values: Payload = schema.load(current.payload)
        except ValidationError as error:
            raise InvalidPayloadError(envelope.event_type, error.messages) from error
        return values

    def redact(self, envelope: Envelope) -> dict[str, Any]:
        """The envelope as a dict with personal fields replaced by a marker."""
        data = envelope.to_dict()
        try:
            personal_fields = self.get(envelope.event_type, envelope.schema_version).personal_fields
        except UnknownEventTypeError:
            return data
        data["payload"] = {
            key: ("[personal data]" if key in personal_fields else value)
            for key, value in envelope.payload.items()
        }
        return data


CONTRACTS = ContractRegistry()
