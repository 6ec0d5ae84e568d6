"""The checks every document record applies to its fields when it is made."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlsplit

from shared.contracts.text_policy import TextPolicyError, police_text

# Lengths a document can always lay out without overflowing its page (the renderers shrink the
# type down to a floor that these limits were measured against).
NAME = 40
LABEL = 60
SERIAL = 40
CITATION = 600
URL = 256  # its QR code still scans from a 150 dpi scan of the print


class DocumentInputError(ValueError):
    """A document's input cannot be printed; the message names the field."""


def check_text(record: Any, name: str, max_length: int, *, prose: bool = False) -> None:
    """Text under the suite's text policy, not blank; stored stripped and in NFC."""
    value = getattr(record, name)
    if not isinstance(value, str):
        raise DocumentInputError(f"{name}: must be text, not {type(value).__name__}")
    try:
        normal = police_text(value, max_length, prose=prose)
    except TextPolicyError as error:
        raise DocumentInputError(f"{name}: {error}") from None
    if not normal.strip():
        raise DocumentInputError(f"{name}: must not be blank")
    object.__setattr__(record, name, normal.strip())


def check_dates(record: Any, *names: str) -> None:
    """Each named field holds a date."""
    for name in names:
        if not isinstance(getattr(record, name), date):
            raise DocumentInputError(f"{name}: must be a date")


def check_period(record: Any, start: str, end: str) -> None:
    """Two dates, the end not before the start."""
    check_dates(record, start, end)
    if getattr(record, end) < getattr(record, start):
        raise DocumentInputError(
            f"{end}: {getattr(record, end)} is before {start} {getattr(record, start)}"
        )


def check_hours(record: Any, name: str) -> None:
    """A plausible number of hours."""
    value = getattr(record, name)
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 10_000:
        raise DocumentInputError(f"{name}: must be a number of hours from 0 to 10000")


def check_url(record: Any, name: str) -> None:
    """An absolute http(s) URL, as the QR code will carry it."""
    check_text(record, name, URL)
    parts = urlsplit(getattr(record, name))
    if parts.scheme not in {"https", "http"} or not parts.netloc or " " in parts.geturl():
        raise DocumentInputError(f"{name}: must be an absolute http(s) URL without spaces")


def check_rows(record: Any, name: str, kind: type) -> None:
    """A tuple of records of one kind (each checked itself when it was made)."""
    rows = getattr(record, name)
    if not isinstance(rows, tuple) or not all(isinstance(row, kind) for row in rows):
        raise DocumentInputError(f"{name}: must be a tuple of {kind.__name__}")
