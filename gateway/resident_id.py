"""The 18-character PRC resident identity number (GB 11643-1999), checked at the edge.

The recruitment domain checks it too; checking here as well means a typo is refused before
anything is sent on, with a 422 that never echoes the number (it is personal data).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARACTERS = "10X98765432"
_SHAPE = re.compile(r"^[1-9]\d{16}[\dX]$")
EARLIEST_BIRTH_YEAR = 1900


class InvalidIdNumberError(ValueError):
    """Why an ID number was refused, in words that do not repeat it."""


def check_character(first_seventeen: str) -> str:
    """The checksum character (ISO 7064 MOD 11-2) for the first 17 digits."""
    total = sum(
        int(digit) * weight for digit, weight in zip(first_seventeen, _WEIGHTS, strict=True)
    )
    return _CHECK_CHARACTERS[total % 11]


def validate_id_number(raw: str, today: date | None = None) -> str:
    """The ID number in canonical form (upper-case X), or ``InvalidIdNumberError``."""
    candidate = raw.strip().upper()
    if not _SHAPE.match(candidate):
        raise InvalidIdNumberError("an ID number has 17 digits and a check digit or X")
    try:
        born = date(int(candidate[6:10]), int(candidate[10:12]), int(candidate[12:14]))
    except ValueError:
        raise InvalidIdNumberError("the ID number's birth date does not exist") from None
    today = today or datetime.now(UTC).date()
    if not born.year >= EARLIEST_BIRTH_YEAR or born > today:
        raise InvalidIdNumberError("the ID number's birth date is not plausible")
    if check_character(candidate[:17]) != candidate[17]:
        raise InvalidIdNumberError("the ID number's check digit does not match")
    return candidate
