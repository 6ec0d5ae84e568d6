"""Canonical JSON: the one byte encoding of an event that hashes are computed over.

Rules (documented for auditors in docs/event-log.md):
keys sorted by code point, no insignificant white space, UTF-8 without escaping non-ASCII,
timestamps as ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` in UTC (the year always four digits), and no
floating-point numbers (their text form is not stable across languages; use integers or
decimal strings).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any


class NonCanonicalValueError(ValueError):
    """A value has no canonical JSON form (a float, a naive datetime, an unknown type)."""


def format_timestamp(moment: datetime) -> str:
    """Render an aware datetime in the one UTC form used on the wire and in hashes: always
    four digits of year (``0999-...``), six of microseconds, and ``Z``."""
    if moment.tzinfo is None:
        raise NonCanonicalValueError("timestamps must carry a time zone")
    # isoformat pads the year to four digits; strftime's %Y does not on every platform.
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def parse_timestamp(text: str) -> datetime:
    """Parse an ISO 8601 timestamp with a zone into an aware UTC datetime."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise NonCanonicalValueError(f"timestamp without a time zone: {text!r}")
    return moment.astimezone(UTC)


_PLAIN = frozenset({str, int, bool, type(None)})
"""The exact types whose JSON form is canonical as they are (a subclass goes the long way)."""


def _check(value: Any) -> Any:
    """``value`` with its timestamps in text, refused if anything has no canonical form.

    A mapping of plain keys and values (most of an event: ids, words, numbers) is checked in
    one pass and returned as it is: copying it again cost an event's signature check a third
    of its time (docs/performance.md, "Canonical bytes without copies")."""
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is dict and all(type(item) in _PLAIN for item in value.values()):
        if all(type(key) is str for key in value):
            return value
        raise NonCanonicalValueError("object keys must be strings")
    return _checked(value)


def _checked(value: Any) -> Any:
    if isinstance(value, bool) or value is None or isinstance(value, int | str):
        return value
    if isinstance(value, float):
        raise NonCanonicalValueError("floats have no canonical form; use int or a decimal string")
    if isinstance(value, datetime):
        return format_timestamp(value)
    if isinstance(value, dict):
        if not all(isinstance(key, str) for key in value):
            raise NonCanonicalValueError("object keys must be strings")
        return {key: _check(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_check(item) for item in value]
    raise NonCanonicalValueError(f"no canonical form for {type(value).__name__}")


def canonical_bytes(value: Any) -> bytes:
    """Encode a JSON-like value canonically (see the module docstring)."""
    return json.dumps(
        _check(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode("utf-8")
