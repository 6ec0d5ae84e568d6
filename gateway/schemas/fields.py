"""Field types for request bodies: strict about JSON types, silent about personal values."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, validate

from gateway.resident_id import InvalidIdNumberError, validate_id_number

ERROR_CODE = "error_code"  # field metadata: the error code a failure of this field answers with
# Marks personal data for readers of the code ("personal_data") and of the OpenAPI document.
PERSONAL: dict[str, Any] = {"personal_data": True, "x-personal-data": True}


class WholeNumber(fields.Integer):
    """A JSON integer: no strings of digits, no booleans, no fractions."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(strict=True, **kwargs)

    def _validated(self, value: Any) -> int:
        if isinstance(value, bool):
            raise self.make_error("invalid")
        return super()._validated(value)


class Text(fields.String):
    """A required, trimmed, non-blank string of bounded length."""

    def __init__(self, max_length: int, **kwargs: Any) -> None:
        kwargs.setdefault("required", True)
        validators: list[Any] = [validate.Length(min=1, max=max_length)]
        if "validate" in kwargs:
            validators.append(kwargs.pop("validate"))
        super().__init__(validate=validators, **kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if not text:
            raise ValidationError("must not be blank")
        return text


class IdNumber(fields.String):
    """An 18-character resident ID number with a valid birth date and check digit.

    Its error messages never contain the value: it is personal data.
    """

    def __init__(self, **kwargs: Any) -> None:
        metadata = PERSONAL | {
            ERROR_CODE: "INVALID_ID_NUMBER",
            "pattern": r"^[1-9]\d{16}[\dXx]$",
            "description": "18-character resident ID number; birth date and check digit "
            "are verified.",
        }
        super().__init__(required=True, metadata=metadata, **kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        raw = super()._deserialize(value, attr, data, **kwargs)
        try:
            return validate_id_number(raw)
        except InvalidIdNumberError as error:
            raise ValidationError(str(error)) from None


def personal_text(max_length: int, **kwargs: Any) -> Text:
    """A personal-data string (name, phone): documented as such, never logged or echoed."""
    return Text(max_length, metadata=PERSONAL, **kwargs)


def timestamp(**kwargs: Any) -> fields.String:
    """A UTC timestamp, ``YYYY-MM-DDTHH:MM:SS.ffffffZ``."""
    return fields.String(metadata={"format": "date-time"}, **kwargs)


def day(**kwargs: Any) -> fields.String:
    """A calendar date, ``YYYY-MM-DD``."""
    return fields.String(metadata={"format": "date"}, **kwargs)
