"""The resident ID number checked at the edge (rules in ``shared.resident_id``).

The recruitment domain checks it too; checking here as well means a typo is refused before
anything is sent on, with a 422 that never echoes the number (it is personal data). The edge
also refuses birth dates before 1900 or in the future.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from shared.resident_id import ResidentIdError, canonical_resident_id, check_character

EARLIEST_BIRTH_YEAR = 1900
InvalidIdNumberError = ResidentIdError

__all__ = ["EARLIEST_BIRTH_YEAR", "InvalidIdNumberError", "check_character", "validate_id_number"]


def validate_id_number(raw: str, today: date | None = None) -> str:
    """The ID number in canonical form (upper-case X), or ``InvalidIdNumberError``."""
    last_plausible = today or datetime.now(UTC).date()

    def check_plausible(born: date) -> None:
        if not born.year >= EARLIEST_BIRTH_YEAR or born > last_plausible:
            raise InvalidIdNumberError("the ID number's birth date is not plausible")

    return canonical_resident_id(raw, check_plausible)
