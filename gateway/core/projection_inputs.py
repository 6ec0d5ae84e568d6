"""A projection handler's inputs built straight from a logged payload's parsed JSON.

Every payload in the event log passed its contract when it was logged (the log screens each
envelope with ``CONTRACTS.load`` and quarantines what fails), and is stored as canonical JSON.
Loading it again through marshmallow (a schema pass, a field object per value, validators)
was half of a replay's CPU. ``PayloadLoader`` builds, once per contract, a plan of one cheap
conversion per field for the value kinds the contracts use (ids, text, numbers, booleans,
timestamps) and hands anything else to the field's own ``deserialize``. A payload that leaves
the plan in any way (an unknown or missing field, a value of another type, an id not in its
canonical form, a validator that refuses) is loaded by the full contract instead, which gives
the very values (or the very ``InvalidPayloadError``) the slow path gives. Old versions are
lifted by the contracts' upcasters first, as ``CONTRACTS.load`` does.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from marshmallow import ValidationError, fields, missing, validate

from shared.contracts import CONTRACTS
from shared.contracts.fields import EARLIEST_TIMESTAMP_YEAR, Id, UtcDateTime, WholeNumber
from shared.contracts.registry import Payload
from shared.events.canonical import parse_timestamp
from shared.events.envelope import Envelope

Convert = Callable[[Any], Any]
CANONICAL_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z")
CANONICAL_TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z\Z")


class _OffPlanError(Exception):
    """The payload needs the full contract."""


class PayloadLoader:
    """``load(event_type, version, payload)``: what ``CONTRACTS.load`` gives, most often
    without marshmallow's schema pass."""

    def __init__(self) -> None:
        self._plans: dict[tuple[str, int], _Plan] = {}

    def load(self, event_type: str, version: int, payload: Payload) -> Payload:
        """The payload's values at the newest version; ``UnknownEventTypeError`` or
        ``InvalidPayloadError`` as the full contract would raise them."""
        latest = CONTRACTS.latest_version(event_type)
        if version != latest:
            version, payload = CONTRACTS.upcast_payload(event_type, version, payload)
        plan = self._plans.get((event_type, version))
        if plan is None:
            plan = self._plans[(event_type, version)] = _Plan(event_type, version)
        try:
            return plan.load(payload)
        except _OffPlanError:
            return _full_load(event_type, version, payload)


def _full_load(event_type: str, version: int, payload: Payload) -> Payload:
    envelope = Envelope(
        event_type=event_type,
        schema_version=version,
        stream_id="-",
        stream_version=1,
        producer="-",
        actor="-",
        correlation_id="-",
        payload=payload,
    )
    return CONTRACTS.load(envelope)


class _Plan:
    """One conversion per field of a contract, and the defaults of the optional ones, as one
    function written for the contract (``_plan_source``): a replay loads a million payloads,
    and a call per field was most of their cost."""

    def __init__(self, event_type: str, version: int) -> None:
        schema = CONTRACTS.get(event_type, version).schema
        namespace: dict[str, Any] = {
            "NAMES": frozenset(schema.fields),
            "MISSING": missing,
            "Off": _OffPlanError,
            "ID": CANONICAL_ID.match,
        }
        lines = []
        for index, (name, field) in enumerate(schema.fields.items()):
            lines += _field_source(index, name, field, namespace)
        self.source = "\n".join(
            [
                "def load(payload):",
                "    if not NAMES.issuperset(payload):",
                "        raise Off  # unknown fields: the contract refuses them",
                "    values = dict(payload)",
                "    get = payload.get",
                *lines,
                "    return values",
            ]
        )
        exec(compile(self.source, f"<payload plan {event_type} v{version}>", "exec"), namespace)  # noqa: S102 - our own text, from the contract's field kinds
        self.load: Callable[[Payload], Payload] = namespace["load"]


_TESTS: dict[type[Any], str] = {  # a value the field takes as it is, without its validators
    Id: "isinstance(v, str) and ID(v) is not None",
    fields.String: "isinstance(v, str)",
    fields.Integer: "type(v) is int",
    WholeNumber: "type(v) is int",
    fields.Boolean: "type(v) is bool",
}


def _field_source(
    index: int, name: str, field: fields.Field[Any], namespace: dict[str, Any]
) -> list[str]:
    """The lines of a plan that check (or convert) one field: the value kept as stored when it
    passes its kind's test and validators, ``None`` where allowed, converted otherwise (by
    ``_conversion``); ``Off`` where the full contract must decide."""
    lines = [f"    v = get({name!r}, MISSING)", "    if v is MISSING:"]
    if field.required:
        lines.append("        raise Off")
    elif field.load_default is not missing:
        namespace[f"DEFAULT_{index}"] = field.load_default
        call = "()" if callable(field.load_default) else ""
        lines.append(f"        values[{name!r}] = DEFAULT_{index}{call}")
    else:
        lines.append("        pass")
    test = _TESTS.get(type(field))
    if test is None:
        namespace[f"CONVERT_{index}"] = _conversion(name, field)
        return [*lines, "    else:", f"        values[{name!r}] = CONVERT_{index}(v)"]
    none = " and v is not None" if field.allow_none else ""  # an allowed None stays
    lines += [f"    elif not ({test}){none}:", "        raise Off"]
    choices = _choices(field)
    if choices is not None:  # one of a few words (a status, a kind): no call for it
        namespace[f"CHOICES_{index}"] = choices
        lines += [f"    elif v not in CHOICES_{index}{none}:", "        raise Off"]
    elif field.validators:
        namespace[f"CHECK_{index}"] = _conversion(name, field)
        lines += ["    else:", f"        CHECK_{index}(v)"]
    return lines


def _choices(field: fields.Field[Any]) -> frozenset[str] | None:
    """The words a text field takes when its one validator is ``OneOf`` (else None)."""
    if type(field) is not fields.String or len(field.validators) != 1:
        return None
    check = field.validators[0]
    if not isinstance(check, validate.OneOf):
        return None
    words = list(check.choices)
    return frozenset(words) if all(isinstance(word, str) for word in words) else None


def _conversion(name: str, field: fields.Field[Any]) -> Convert:
    """The cheap conversion of one field's stored value; raises ``_OffPlanError`` where the
    full contract must decide."""
    kind = type(field)
    checks = list(field.validators)
    allow_none = field.allow_none

    def validated(value: Any) -> Any:
        for check in checks:
            try:
                check(value)
            except ValidationError:
                raise _OffPlanError from None
        return value

    def fallback(value: Any) -> Any:
        try:
            return field.deserialize(value, name, None)
        except ValidationError:
            raise _OffPlanError from None

    simple: Callable[[Any], bool] | None = None
    if kind is Id:
        simple = lambda value: isinstance(value, str) and CANONICAL_ID.match(value) is not None  # noqa: E731 - one test per kind
    elif kind is fields.String:
        simple = lambda value: isinstance(value, str)  # noqa: E731
    elif kind in (fields.Integer, WholeNumber):
        simple = lambda value: type(value) is int  # noqa: E731
    elif kind is fields.Boolean:
        simple = lambda value: type(value) is bool  # noqa: E731
    elif kind is UtcDateTime:

        def timestamp(value: Any) -> Any:
            if value is None and allow_none:
                return None
            if not isinstance(value, str):
                raise _OffPlanError
            try:
                moment = parse_timestamp(value)
            except (ValueError, OverflowError):
                raise _OffPlanError from None
            if moment.year < EARLIEST_TIMESTAMP_YEAR:
                raise _OffPlanError
            return validated(moment)

        return timestamp
    if simple is None:
        return fallback
    test = simple

    def convert(value: Any) -> Any:
        if test(value):
            return validated(value) if checks else value
        if value is None and allow_none:
            return None
        raise _OffPlanError

    return convert
