"""The field types contracts are written in: each rule about a value is declared here once.

Commands (what callers send) and events (what is stored) declare their fields with these,
as ``Annotated[<python type>, <field>]``. A field's messages never repeat its value: values
may be personal data. Free text is ``Text`` or ``free_text`` and so under the one text policy
(``shared.contracts.text_policy``).

Longer than most modules on purpose: it is the one vocabulary, and a reader of a contract
should find every field's rule in this one place.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from marshmallow import ValidationError, fields, validate

from shared.contracts.text_policy import PROSE_PATTERN, TEXT_PATTERN, TextPolicyError, police_text
from shared.events.canonical import format_timestamp, parse_timestamp
from shared.resident_id import ResidentIdError, canonical_resident_id

PERSONAL_DATA = "personal_data"  # metadata: the value is personal data (never logged)
ERROR_CODE = "error_code"  # metadata: the code a failure of this field alone answers with
EARLIEST_BIRTH_YEAR = 1900
EARLIEST_TIMESTAMP_YEAR = 1900
TIMESTAMP_RANGE = (
    "an ISO 8601 timestamp with a time zone, from 1900-01-01T00:00:00Z to "
    "9999-12-31T23:59:59.999999Z in UTC"
)
# The year as written is 1900 to 9999; an offset that carries it out of range is refused.
TIMESTAMP_PATTERN = r"^(19|[2-9][0-9])[0-9][0-9]-"
INVALID_ID_NUMBER = "INVALID_ID_NUMBER"

FieldT = TypeVar("FieldT", bound=fields.Field[Any])


def personal(field: FieldT) -> FieldT:
    """Mark a field as personal data: never logged, redacted for auditors, flagged in the API
    document (``x-personal-data``)."""
    field.metadata = {**field.metadata, PERSONAL_DATA: True, "x-personal-data": True}
    return field


def is_personal(field: fields.Field[Any]) -> bool:
    return bool(field.metadata.get(PERSONAL_DATA))


UUID_TEXT = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}\Z")
CANONICAL_UUID_TEXT = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z")


class Id(fields.String):
    """A UUID that is validated on the way in but stays a (canonical) string in Python."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs["metadata"] = {"format": "uuid", **kwargs.get("metadata", {})}
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        if text == "" and not self.required:
            return text  # an optional id left empty, as ``_serialize`` writes it
        if CANONICAL_UUID_TEXT.match(text):
            return text  # what ``str(uuid.UUID(text))`` would give back (every id we send)
        if not UUID_TEXT.match(text):  # the hyphenated form of JSON Schema's "uuid" only
            raise ValidationError("not a valid UUID")
        return str(uuid.UUID(text))

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> str | None:  # noqa: ARG002 - marshmallow's signature
        if value in (None, ""):
            return value  # type: ignore[no-any-return] # absent: to be generated
        try:
            return str(uuid.UUID(str(value)))
        except ValueError as error:
            raise ValidationError("not a valid UUID") from error


class UtcDateTime(fields.DateTime):
    """A timestamp with a zone, from 1900-01-01T00:00:00Z to 9999-12-31T23:59:59.999999Z once
    converted to UTC (outside that range it is refused, never overflowed); always serialised
    in the canonical UTC form."""

    def __init__(self, **kwargs: Any) -> None:
        metadata = {"description": TIMESTAMP_RANGE, "pattern": TIMESTAMP_PATTERN}
        kwargs["metadata"] = metadata | kwargs.get("metadata", {})
        super().__init__(**kwargs)

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
            moment = parse_timestamp(value)
        except OverflowError:
            raise ValidationError(f"must be {TIMESTAMP_RANGE}") from None
        except ValueError as error:
            raise ValidationError("must be an ISO 8601 timestamp with a time zone") from error
        if moment.year < EARLIEST_TIMESTAMP_YEAR:
            raise ValidationError(f"must be {TIMESTAMP_RANGE}")
        return moment


class WholeNumber(fields.Integer):
    """A JSON integer: no strings of digits, no booleans, no fractions."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(strict=True, **kwargs)

    def _validated(self, value: Any) -> int:
        if isinstance(value, bool):
            raise self.make_error("invalid")
        return super()._validated(value)


class Text(fields.String):
    """A trimmed, non-blank string of bounded length under the text policy
    (``shared.contracts.text_policy``: no controls, no invisible format characters, NFC)."""

    def __init__(self, max_length: int, **kwargs: Any) -> None:
        validators: list[Any] = [validate.Length(min=1, max=max_length)]
        if "validate" in kwargs:
            validators.append(kwargs.pop("validate"))
        if not any(isinstance(rule, validate.Regexp) for rule in validators):
            # A field with its own pattern (a phone number) states that one instead.
            kwargs["metadata"] = {"pattern": TEXT_PATTERN, **kwargs.get("metadata", {})}
        super().__init__(validate=validators, **kwargs)
        self.max_length = max_length

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        raw = super()._deserialize(value, attr, data, **kwargs)
        try:
            text = police_text(raw, self.max_length).strip()
        except TextPolicyError as error:
            raise ValidationError(str(error)) from None
        if not text:
            raise ValidationError("must not be blank")
        return text


class Prose(fields.String):
    """Optional prose (a comment, suggestions): may be empty or hold line feeds (LF, no CR),
    bounded in length, otherwise under the same text policy as ``Text``."""

    def __init__(self, max_length: int, **kwargs: Any) -> None:
        kwargs["metadata"] = {"pattern": PROSE_PATTERN, **kwargs.get("metadata", {})}
        super().__init__(validate=validate.Length(max=max_length), **kwargs)
        self.max_length = max_length

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        raw = super()._deserialize(value, attr, data, **kwargs)
        try:
            return police_text(raw, self.max_length, prose=True)
        except TextPolicyError as error:
            raise ValidationError(str(error)) from None


def free_text(max_length: int = 2000, **kwargs: Any) -> Prose:
    """Optional prose (a comment, suggestions): may be empty, bounded in length."""
    return Prose(max_length, **kwargs)


def one_of(choices: tuple[str, ...], **kwargs: Any) -> fields.String:
    return fields.String(validate=validate.OneOf(choices), **kwargs)


def id_list(max_length: int, **kwargs: Any) -> fields.List[Any]:
    return fields.List(Id(), validate=validate.Length(max=max_length), **kwargs)


class ResidentIdNumber(fields.String):
    """An 18-character PRC resident ID number: shape, a real and plausible birth date (1900 to
    today), check digit. Loads to its canonical form (upper-case X)."""

    def __init__(self, **kwargs: Any) -> None:
        metadata = {
            ERROR_CODE: INVALID_ID_NUMBER,
            "pattern": r"^[1-9]\d{16}[\dXx]$",
            "description": "18-character resident ID number; birth date and check digit "
            "are verified.",
        }
        super().__init__(metadata=metadata, **kwargs)
        personal(self)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        raw = super()._deserialize(value, attr, data, **kwargs)
        try:
            return canonical_resident_id(raw, check_birth_date_plausible)
        except ResidentIdError as error:
            raise ValidationError(str(error)) from None


def check_birth_date_plausible(born: date, today: date | None = None) -> None:
    """A student's ID number names a birth date from 1900 up to today."""
    if born.year < EARLIEST_BIRTH_YEAR or born > (today or datetime.now(UTC).date()):
        raise ResidentIdError("the ID number's birth date is not plausible")


def whole_number_in(low: int, high: int) -> WholeNumber:
    """A JSON integer from ``low`` to ``high``."""
    return WholeNumber(validate=validate.Range(min=low, max=high))


class Flag(fields.Boolean):
    """A JSON ``true`` or ``false``: no strings, no numbers."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> bool:  # noqa: ARG002 - marshmallow's signature
        if not isinstance(value, bool):
            raise ValidationError("must be true or false")
        return value


class HalfHours(fields.Float):
    """Hours as a JSON number in half-hour steps (2, 2.5), more than 0 and at most 24."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs["metadata"] = {"multipleOf": 0.5, **kwargs.get("metadata", {})}
        super().__init__(validate=validate.Range(min=0.5, max=24), **kwargs)

    def _validated(self, value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.make_error("invalid")
        number = super()._validated(value)
        if number is not None and (number * 2) != int(number * 2):
            raise ValidationError("hours come in half-hour steps")
        return number
