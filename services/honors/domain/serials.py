"""Serial numbers of certificates and appointment letters: ``<prefix>-<year>-<number>``.

Numbers are gapless per year and title (certificates) or per year (letters): the next one is
the last one issued plus one, decided while the counter's lock is held and committed with the
document's event, so a rolled-back grant leaves no hole.
"""

from __future__ import annotations

from shared.contracts.honors.events import LETTER_PREFIX


def certificate_serial(title_code: str, year: int, number: int) -> str:
    return f"{title_code}-{year:04d}-{number:04d}"


def letter_serial(year: int, number: int) -> str:
    return certificate_serial(LETTER_PREFIX, year, number)
