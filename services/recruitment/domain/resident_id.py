"""The 18-character PRC resident identity number (GB 11643-1999) and its checksum."""

from __future__ import annotations

import hashlib

from services.recruitment.domain.errors import InvalidResidentIdError
from shared.resident_id import ResidentIdError, canonical_resident_id, check_character

__all__ = ["check_character", "normalise_resident_id", "resident_id_digest"]


def normalise_resident_id(raw: str) -> str:
    """Validate an ID number and return it in canonical form (upper-case X).

    The message never echoes the number: it is personal data.
    """
    try:
        return canonical_resident_id(raw)
    except ResidentIdError as error:
        raise InvalidResidentIdError(str(error), {"field": "id_number"}) from None


def resident_id_digest(campaign_id: str, resident_id: str) -> str:
    """A one-way key for the per-campaign uniqueness check, so the index holds no ID numbers."""
    return hashlib.sha256(f"{campaign_id}:{resident_id}".encode()).hexdigest()
