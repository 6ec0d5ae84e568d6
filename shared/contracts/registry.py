"""The registry of payload schemas and the upcasters that lift old versions to the newest."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from marshmallow import Schema, ValidationError, missing
from marshmallow.fields import Field, String

from shared.contracts.fields import Id, is_personal
from shared.contracts.schemas import OnePass, build_schema, load_in_one_pass, one_pass_fields
from shared.events.envelope import Envelope

if TYPE_CHECKING:
    from shared.contracts.records import Event

Payload = dict[str, Any]
Upcaster = Callable[[Payload], Payload]


class UnknownEventTypeError(LookupError):
    """No contract is registered for this event type and version."""


class InvalidPayloadError(ValueError):
    """A payload does not satisfy its contract."""

    def __init__(self, event_type: str, errors: Any) -> None:
        super().__init__(f"{event_type} payload is invalid: {errors}")
        self.errors = errors


@dataclass(frozen=True)
class Contract:
    event_type: str
    version: int
    schema: Schema

    @property
    def personal_fields(self) -> frozenset[str]:
        return frozenset(name for name, field in self.schema.fields.items() if is_personal(field))

    @cached_property
    def one_pass(self) -> OnePass | None:
        """The fields a payload is loaded by in one pass (``load_in_one_pass``); every
        consumed event is loaded, and the schema's load machinery was a quarter of it."""
        return one_pass_fields(self.schema)

    @cached_property
    def id_fields(self) -> tuple[str, ...]:
        """Fields holding one id (never personal data): what a log line may name."""
        return tuple(name for name, field in self.schema.fields.items() if isinstance(field, Id))

    def dump_checked(self, values: Payload) -> tuple[Payload, dict[str, Any]]:
        """The payload as ``schema.dump`` gives it, and what ``schema.validate`` would say of
        it (empty when valid), in one pass over the fields.

        Each field's value is serialised, then loaded back by the same field (its type check
        and validators), without the schema's load machinery around it: the two passes of
        dump-then-validate cost more than a third of a registration's contract work
        (docs/performance.md, "The command path"). A string that both passes would leave as it
        is and accept (any for a plain ``fields.String``, the canonical form for an ``Id``,
        neither with validators of its own) is taken as it is. A schema
        with hooks, renamed or one-way fields takes the two passes, whose verdict this one's
        equals.
        """
        plain = self._plain_fields
        if plain is None or not isinstance(values, dict):
            payload: Payload = self.schema.dump(values)
            return payload, self.schema.validate(payload)
        get_attribute = self.schema.get_attribute
        payload = {}
        loaded_back: list[tuple[str, Field[Any]]] = []
        for name, field, as_it_is in plain:
            value = values.get(name, missing)
            if as_it_is is not None and type(value) is str and as_it_is(value):
                payload[name] = value
                continue
            value = field.serialize(name, values, accessor=get_attribute)
            if value is not missing:
                payload[name] = value
            loaded_back.append((name, field))
        errors: dict[str, Any] = {}
        for name, field in loaded_back:
            try:
                field.deserialize(payload.get(name, missing), name, payload)
            except ValidationError as error:
                errors[name] = error.messages
        return payload, errors

    @cached_property
    def _plain_fields(
        self,
    ) -> tuple[tuple[str, Field[Any], Callable[[str], object] | None], ...] | None:
        """The schema's fields, each with the test of a string that both passes would leave as
        it is and accept (``_KEPT_AS_IT_IS``), when one pass can stand for dump-then-validate;
        else None."""
        schema = self.schema
        if any(schema._hooks.values()) or schema.partial:
            return None
        fields = tuple(schema.fields.items())
        if tuple(schema.load_fields) != tuple(schema.dump_fields) or len(fields) != len(
            schema.load_fields
        ):
            return None
        if any(field.data_key is not None or field.attribute is not None for _, field in fields):
            return None
        return tuple(
            (name, field, None if field.validators else _KEPT_AS_IT_IS.get(type(field)))
            for name, field in fields
        )


_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_KEPT_AS_IT_IS: dict[type[Field[Any]], Callable[[str], object]] = {
    String: lambda _text: True,  # any string: serialised and loaded as it is
    Id: _CANONICAL_UUID.fullmatch,  # Id writes and loads exactly this form unchanged
}


class ContractRegistry:
    """Schemas keyed by (type, version) plus upcasters from each version to the next."""

    def __init__(self) -> None:
        self._contracts: dict[tuple[str, int], Contract] = {}
        self._upcasters: dict[tuple[str, int], Upcaster] = {}
        self._events: dict[str, type[Event]] = {}
        self._latest: dict[str, int] = {}

    def register_event(self, event_class: type[Event], version: int) -> None:
        """Register an event dataclass as the newest contract of its type (its class name)."""
        event_type = event_class.__name__
        if event_type in self._events:
            raise ValueError(f"event class {event_type} declared twice")
        self._events[event_type] = event_class
        self._add(event_type, version, build_schema(event_class, f"{event_type}V{version}")())

    def event_class(self, event_type: str) -> type[Event]:
        try:
            return self._events[event_type]
        except KeyError:
            raise UnknownEventTypeError(event_type) from None

    def to_event(self, envelope: Envelope) -> Event:
        """The envelope's payload, upcast and validated, as its event class."""
        return self.event_class(envelope.event_type)(**self.load(envelope))

    def dump_event(self, event: Event) -> tuple[int, Payload]:
        """Validate and serialise an event's payload at the newest version of its contract."""
        return self.dump(type(event).__name__, event.values())

    def _add(self, event_type: str, version: int, schema: Schema) -> None:
        key = (event_type, version)
        if key in self._contracts:
            raise ValueError(f"contract {event_type} v{version} registered twice")
        self._contracts[key] = Contract(event_type, version, schema)
        self._latest[event_type] = max(version, self._latest.get(event_type, 0))

    def contract(self, event_type: str, version: int) -> Callable[[type[Schema]], type[Schema]]:
        """Class decorator registering a payload schema."""

        def register(schema_class: type[Schema]) -> type[Schema]:
            self._add(event_type, version, schema_class())
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
        return event_type in self._latest

    def latest_version(self, event_type: str) -> int:
        try:
            return self._latest[event_type]
        except KeyError:
            raise UnknownEventTypeError(event_type) from None

    def event_types(self) -> list[str]:
        return sorted(self._latest)

    def id_values(self, envelope: Envelope) -> dict[str, object]:
        """The ids an event's payload names, for log lines; nothing for an unknown type."""
        try:
            contract = self.get(envelope.event_type, envelope.schema_version)
        except UnknownEventTypeError:
            return {}
        return {name: envelope.payload.get(name) for name in contract.id_fields}

    def personal_field_names(self) -> frozenset[str]:
        """Every payload field that any contract marks as personal data."""
        return frozenset().union(*(c.personal_fields for c in self._contracts.values()))

    def dump(self, event_type: str, values: Payload) -> tuple[int, Payload]:
        """Validate and serialise a payload at the newest version."""
        version = self.latest_version(event_type)
        contract = self.get(event_type, version)
        try:
            payload, errors = contract.dump_checked(values)
        except ValidationError as error:
            raise InvalidPayloadError(event_type, error.messages) from error
        if errors:
            raise InvalidPayloadError(event_type, errors)
        return version, payload

    def upcast(self, envelope: Envelope) -> Envelope:
        """Lift an envelope's payload to the newest version; stored events are never rewritten."""
        version, payload = self.upcast_payload(
            envelope.event_type, envelope.schema_version, envelope.payload
        )
        return envelope.with_payload(version, payload)

    def upcast_payload(
        self, event_type: str, version: int, payload: Payload
    ) -> tuple[int, Payload]:
        """A payload of ``version`` lifted to the newest version (a copy; the input is kept)."""
        latest = self.latest_version(event_type)
        payload = dict(payload)
        while version < latest:
            step = self._upcasters.get((event_type, version))
            if step is None:
                raise UnknownEventTypeError(f"no upcaster for {event_type} v{version}")
            payload, version = step(payload), version + 1
        return version, payload

    def load(self, envelope: Envelope) -> Payload:
        """Upcast, then validate and deserialise the payload into Python values."""
        current = self.upcast(envelope)
        contract = self.get(current.event_type, current.schema_version)
        values = load_in_one_pass(contract.one_pass, current.payload)
        if values is not None:  # valid, as ``load`` would have found it
            return values
        try:
            loaded: Payload = contract.schema.load(current.payload)
        except ValidationError as error:
            raise InvalidPayloadError(envelope.event_type, error.messages) from error
        return loaded

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
