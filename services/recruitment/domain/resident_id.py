"""The 18-character PRC resident identity number (GB 11643-1999) and its checksum."""

from __future__ import annotations

import hashlib
import re
from datetime import date

from services.recruitment.domain.errors import InvalidResidentIdError

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARACTERS = "10X98765432"
_SHAPE = re.compile(r"^[1-9]\d{16}[\dX]$")


def check_character(first_seventeen: str) -> str:
    """The checksum character (ISO 7064 MOD 11-2) for the first 17 digits."""
    total = sum(
        int(digit) * weight for digit, weight in zip(first_seventeen, _WEIGHTS, strict=True)
    )
    return _CHECK_CHARACTERS[total % 11]


def normalise_resident_id(raw: str) -> str:
    """Validate an ID number and return it in canonical form (upper-case X).

    The message never echoes the number: it is personal data.
    """
    candidate = raw.strip().upper()
    if not _SHAPE.match(candidate):
        raise InvalidResidentIdError(
            "an ID number has 17 digits and a check digit or X",
            {"field": "id_number"},
        )
    try:
        date(int(candidate[6:10]), int(candidate[10:12]), int(candidate[12:14]))
    except ValueError:
        raise InvalidResidentIdError(
            "the ID number's birth date does not exist", {"field": "id_number"}
        ) from None
    if check_character(candidate[:17]) != candidate[17]:
        raise InvalidResidentIdError(
            "the ID number's check digit does not match", {"field": "id_number"}
        )
    return candidate


def resident_id_digest(campaign_id: str, resident_id: str) -> str:
    """A one-way key for the per-campaign uniqueness check, so the index holds no ID numbers."""
    return hashlib.sha256(f"{campaign_id}:{resident_id}".encode()).hexdigest()
