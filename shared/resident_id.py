"""The 18-character PRC resident identity number (GB 11643-1999): shape, birth date, checksum.

One set of rules for every place that checks an ID number: the recruitment domain and the
gateway's edge validation. Messages never repeat the number, which is personal data.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARACTERS = "10X98765432"
_SHAPE = re.compile(r"^[1-9]\d{16}[\dX]$")


class ResidentIdError(ValueError):
    """Why an ID number was refused, in words that do not repeat it."""


def check_character(first_seventeen: str) -> str:
    """The checksum character (ISO 7064 MOD 11-2) for the first 17 digits."""
    total = sum(
        int(digit) * weight for digit, weight in zip(first_seventeen, _WEIGHTS, strict=True)
    )
    return _CHECK_CHARACTERS[total % 11]


def canonical_resident_id(raw: str, check_birth_date: Callable[[date], None] | None = None) -> str:
    """The ID number in canonical form (upper-case X), or ``ResidentIdError``.

    ``check_birth_date`` may refuse a real but implausible birth date (by raising
    ``ResidentIdError``); it runs before the checksum, as a reader of the number would.
    """
    candidate = raw.strip().upper()
    if not _SHAPE.match(candidate):
        raise ResidentIdError("an ID number has 17 digits and a check digit or X")
    try:
        born = date(int(candidate[6:10]), int(candidate[10:12]), int(candidate[12:14]))
    except ValueError:
        raise ResidentIdError("the ID number's birth date does not exist") from None
    if check_birth_date is not None:
        check_birth_date(born)
    if check_character(candidate[:17]) != candidate[17]:
        raise ResidentIdError("the ID number's check digit does not match")
    return candidate
