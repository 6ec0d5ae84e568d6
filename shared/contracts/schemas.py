"""From a record's annotated fields to a strict marshmallow schema, and from a schema's
verdict to the refusal a caller receives (field names and messages, never values)."""

from __future__ import annotations

import copy
import dataclasses
import re
import typing
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields

from shared.contracts.fields import ERROR_CODE, INVALID_ID_NUMBER
from shared.domain import DomainError, ErrorKind
from shared.events.canonical import format_timestamp


class StrictSchema(Schema):
    class Meta:
        unknown = RAISE


class InvalidArgumentsError(DomainError):
    """Unknown fields, wrong types or invalid values; details map each field to its messages."""

    code = "VALIDATION_FAILED"
    kind = ErrorKind.INVALID


class InvalidIdNumberError(InvalidArgumentsError):
    """Not a valid 18-character resident ID number (shape, birth date or check digit)."""

    code = INVALID_ID_NUMBER


_FIELD_ERRORS: dict[str, type[InvalidArgumentsError]] = {INVALID_ID_NUMBER: InvalidIdNumberError}


def rule_of(record: type[Any], name: str) -> fields.Field[Any]:
    """The marshmallow field a record's attribute is annotated with."""
    hint = typing.get_type_hints(record, include_extras=True)[name]
    for extra in getattr(hint, "__metadata__", ()):
        if isinstance(extra, fields.Field):
            return extra
    raise TypeError(f"{record.__name__}.{name} needs Annotated[<type>, <marshmallow field>]")


def build_schema(
    record: type[Any], name: str | None = None, exclude: frozenset[str] = frozenset()
) -> type[StrictSchema]:
    """A strict schema of the record's fields: required unless the dataclass gives a default."""
    declared: dict[str, fields.Field[Any]] = {}
    for attribute in dataclasses.fields(record):
        if attribute.name in exclude:
            continue
        field = copy.deepcopy(rule_of(record, attribute.name))
        if attribute.default is not dataclasses.MISSING:
            field.required, field.load_default = False, attribute.default
        elif attribute.default_factory is not dataclasses.MISSING:
            field.required, field.load_default = False, attribute.default_factory
        else:
            field.required = True
        declared[attribute.name] = field
    schema = StrictSchema.from_dict(declared, name=name or f"{record.__name__}Schema")
    return typing.cast(type[StrictSchema], schema)


def invalid_arguments(schema: Schema, error: ValidationError) -> InvalidArgumentsError:
    """The refusal for arguments that failed their schema: per-field messages, never values;
    a field's own code (an invalid ID number) when it alone failed."""
    raw = error.messages
    messages = raw if isinstance(raw, dict) else {"_schema": raw}
    codes = {
        schema.fields[name].metadata.get(ERROR_CODE) if name in schema.fields else None
        for name in messages
    }
    special = _FIELD_ERRORS.get(codes.pop() or "") if len(codes) == 1 else None
    if special is not None:
        return special("the ID number is not valid", {"fields": messages})
    return InvalidArgumentsError("the request has invalid or unknown fields", {"fields": messages})


def snake_case(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def to_wire(value: object) -> object:
    """A value as it travels in JSON: timestamps canonical UTC, dates ``YYYY-MM-DD``."""
    if isinstance(value, datetime):
        return format_timestamp(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [to_wire(item) for item in value]
    if isinstance(value, Mapping):
        return {str(key): to_wire(item) for key, item in value.items()}
    return value
